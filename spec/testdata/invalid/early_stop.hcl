experiment "no-sweep" {
  command = ["train"]
  metric "loss" { goal = "minimize" }
  early_stop { rule = "asha" } # ERROR: Early stopping without a sweep
}

experiment "one-round" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    param "lr" { values = [0.1, 0.01] }
  }
  early_stop { rule = "median" } # ERROR: Early stopping needs rounds
}

experiment "bad-metric" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  metric "lr_now" {}
  sweep {
    batch = 1
    param "lr" { values = [0.1, 0.01] }
  }
  early_stop {
    rule   = "median"
    metric = "los" # ERROR: Unknown early-stopping metric
  }
}

experiment "median-eta" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    batch = 1
    param "lr" { values = [0.1, 0.01] }
  }
  early_stop {
    rule             = "median"
    reduction_factor = 2 # ERROR: Reduction factor outside ASHA
  }
}

experiment "no-goal" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  metric "lr_now" {}
  sweep {
    batch = 1
    param "lr" { values = [0.1, 0.01] }
  }
  early_stop {
    rule   = "asha"
    metric = "lr_now" # ERROR: Early-stopping metric without a goal
  }
}

experiment "bad-values" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    batch = 1
    param "lr" { values = [0.1, 0.01] }
  }
  early_stop {
    rule             = "halving" # ERROR: Invalid rule
    min_steps        = 0         # ERROR: Value out of range
  }
}

experiment "batch-alone" {
  command = ["train"]
  params  = { lr = 0.1 }
  sweep {
    batch = 2 # ERROR: Batch without early_stop
    param "lr" { values = [0.1, 0.01] }
  }
}

experiment "workdir" {
  command = ["train"]
  workdir = "runs/${param.lr}" # ERROR: Workdir varies in a search
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    method = "tpe"
    budget = 20
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
}

experiment "twice" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    batch = 1
    param "lr" { values = [0.1, 0.01] }
  }
  early_stop { rule = "asha" }
  early_stop { rule = "asha" } # ERROR: Duplicate early_stop block
}
