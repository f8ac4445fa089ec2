template "gpu" {
  runner {
    labels = ["gpu", "a100"]
    gpus   = 1
  }
}
