experiment "a" {
  command = ["train"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" {
      distribution = "uniform" # ERROR: Distribution in a grid sweep
      min          = 0
      max          = 1
    }
  }
}
