experiment "domains" {
  command = ["train"]
  params  = { lr = 0.1, wd = 0.1, layers = 2, act = "relu", mom = 0.9 }
  metric "loss" { goal = "minimize" }
  sweep {
    method = "tpe"
    budget = 20
    param "lr" {
      distribution = "log_uniform"
      min          = 0 # ERROR: Value out of range
      max          = 1
    }
    param "wd" {
      distribution = "uniform"
      min          = 0.1
      max          = 0.1 # ERROR: Empty range
    }
    param "layers" {
      distribution = "int"
      min          = 1
      max          = 4.5 # ERROR: Value out of range
    }
    param "act" { # ERROR: Missing values
      distribution = "choice"
    }
    param "mom" {
      distribution = "normal" # ERROR: Invalid distribution
      min          = 0
      max          = 1
    }
  }
}
