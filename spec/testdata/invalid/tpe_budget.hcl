experiment "seeds" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    method = "tpe"
    budget = 40 # ERROR: Impossible budget
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
  seeds = [1, 2, 3]
}

experiment "small-domain" {
  command = ["train"]
  params  = { opt = "sgd", layers = 2 }
  metric "loss" { goal = "minimize" }
  sweep {
    method  = "tpe"
    budget  = 20 # ERROR: Impossible budget
    startup = 2
    param "opt" { values = ["sgd", "adam"] }
    param "layers" {
      distribution = "int"
      min          = 1
      max          = 4
    }
  }
}

experiment "no-budget" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep { # ERROR: Missing budget
    method = "tpe"
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
}

experiment "all-random" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    method  = "tpe"
    budget  = 12
    startup = 12 # WARNING: Search is random
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
}

experiment "budget-in-grid" {
  command = ["train"]
  params  = { lr = 0.1 }
  sweep {
    budget = 4 # ERROR: Budget outside a search
    param "lr" { values = [0.1, 0.2] }
  }
}
