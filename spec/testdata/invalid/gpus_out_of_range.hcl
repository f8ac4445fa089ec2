experiment "a" {
  command = ["train"]
  runner {
    gpus = -1 # ERROR: Value out of range
  }
}
