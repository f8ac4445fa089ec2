experiment "a" {
  extends = "gpu-train" # ERROR: Invalid extends
  command = ["train"]
}
