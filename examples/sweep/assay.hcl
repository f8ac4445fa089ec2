executor "local" {
  gpus   = []
  labels = ["cpu"]
}
