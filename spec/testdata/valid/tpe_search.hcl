template "search" {
  metric "val_loss" {
    goal    = "minimize"
    summary = "min"
  }
  metric "val_acc" {
    goal = "maximize"
  }
  early_stop {
    rule             = "asha"
    metric           = "val_loss"
    min_steps        = 2
    reduction_factor = 3
    grace_period     = 4
  }
}

experiment "tpe" {
  extends = template.search
  command = ["python", "train.py", "--lr=${param.lr}", "--layers=${param.layers}", "--opt=${param.optimizer}", "--seed=${seed}"]
  params = {
    lr        = 0.1
    wd        = 0.0001
    layers    = 4
    optimizer = "sgd"
  }
  sweep {
    method    = "tpe"
    budget    = 40
    batch     = 4
    startup   = 8
    seed      = 3
    objective = "val_acc"
    param "lr" {
      distribution = "log_uniform"
      min          = 1e-5
      max          = 1e-1
    }
    param "wd" {
      distribution = "uniform"
      min          = 0
      max          = 0.01
    }
    param "layers" {
      distribution = "int"
      min          = 2
      max          = 8
    }
    param "optimizer" {
      distribution = "choice"
      values       = ["sgd", "adam", "adamw"]
    }
  }
  seeds = [1, 2]
}

experiment "tpe-defaults" {
  command = ["python", "train.py"]
  params  = { lr = 0.1 }
  metric "val_loss" { goal = "minimize" }
  sweep {
    method = "tpe"
    budget = 20
    param "lr" {
      distribution = "log_uniform"
      min          = 1e-4
      max          = 1
    }
  }
  early_stop { rule = "median" }
}

experiment "grid-halving" {
  command = ["python", "train.py"]
  params  = { lr = 0.1, wd = 0 }
  metric "val_loss" { goal = "minimize" }
  sweep {
    method = "grid"
    batch  = 3
    param "lr" { values = [0.3, 0.1, 0.03] }
    param "wd" { values = [0, 0.01, 0.1] }
  }
  early_stop {
    rule      = "asha"
    min_steps = 5
  }
}
