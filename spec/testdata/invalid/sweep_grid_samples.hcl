experiment "a" {
  command = ["train"]
  params  = { lr = 0.1 }
  sweep {
    samples = 10 # ERROR: Samples in a grid sweep
    param "lr" { values = [0.1] }
  }
}
