experiment "a" {
  command = ["train"]
  runner {
    gpus = 0.5 # ERROR: Incorrect attribute value type
  }
}
