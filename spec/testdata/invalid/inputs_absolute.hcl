experiment "a" {
  command = ["train"]
  inputs  = ["/data/**"] # ERROR: Invalid inputs glob
}
