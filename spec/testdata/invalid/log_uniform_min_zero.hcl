experiment "a" {
  command = ["train"]
  params  = { lr = 0.1 }
  sweep {
    method  = "random"
    samples = 4
    param "lr" {
      distribution = "log_uniform"
      min          = 0 # ERROR: Value out of range
      max          = 1
    }
  }
}
