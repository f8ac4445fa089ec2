experiment "a" {
  command = ["train"]
  params  = { lr = 0.1, layers = 2, wd = 0 }
  sweep {
    method  = "random"
    samples = 4
    param "lr" {
      distribution = "log_uniform"
      min          = 0.1
      max          = 0.001 # ERROR: Empty range
    }
    param "layers" {
      distribution = "int_uniform"
      min          = 8
      max          = 2 # ERROR: Empty range
    }
    # Equal ends are a range of one value, not an error.
    param "wd" {
      distribution = "uniform"
      min          = 0.5
      max          = 0.5
    }
  }
}
