experiment "a" {
  command = ["train"]
  params  = { lr = 0.1 }
  sweep { # ERROR: Missing samples
    method = "random"
    param "lr" {
      distribution = "log_uniform"
      min          = 0.0001
      max          = 0.1
    }
  }
}
