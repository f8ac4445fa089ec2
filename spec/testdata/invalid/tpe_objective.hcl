experiment "unknown" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "val_loss" { goal = "minimize" }
  sweep {
    method    = "tpe"
    budget    = 20
    objective = "val_los" # ERROR: Unknown objective
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
}

experiment "no-goal" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "throughput" {}
  sweep {
    method    = "tpe"
    budget    = 20
    objective = "throughput" # ERROR: Objective without a goal
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
}

experiment "none" {
  command = ["train"]
  params  = { lr = 0.1 }
  sweep { # ERROR: No objective
    method = "tpe"
    budget = 20
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
}

experiment "two-rankings" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "val_loss" { goal = "minimize" }
  metric "val_acc" {
    goal    = "maximize"
    primary = true
  }
  sweep {
    method    = "tpe"
    budget    = 20
    objective = "val_loss" # ERROR: Objective and primary metric differ
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
}
