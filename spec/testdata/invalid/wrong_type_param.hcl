experiment "a" {
  command = ["true"]
  params  = ["lr", 0.1] # ERROR: Incorrect attribute value type
}
