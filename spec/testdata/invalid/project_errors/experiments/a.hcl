experiment "a" {
  command = ["train"]
  runner {
    labels = ["gpu", "h100"] # WARNING: Labels no executor offers
  }
}
