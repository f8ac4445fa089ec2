# Two sweeps of one model: a grid over the regularisation strength and the
# feature count, and a random search that also draws the learning rate.

template "ridge" {
  command = ["python3", "ridge.py"]
  inputs  = ["ridge.py"]
  runner {
    labels  = ["cpu"]
    timeout = "2m"
  }
  metric "val_mse" {
    goal      = "minimize"
    summary   = "min"
    tolerance = 0.01
    primary   = true
  }
  metric "train_mse" {
    goal = "minimize"
  }
}

experiment "ridge-grid" {
  extends     = template.ridge
  description = "Ridge regression by gradient descent: grid over alpha and features"
  params = {
    alpha    = 0.1
    features = 8
    lr       = 0.05
    steps    = 200
  }
  sweep {
    method = "grid"
    param "alpha" { values = [0.001, 0.01, 0.1, 1.0] }
    param "features" { values = [4, 8, 16] }
  }
  seeds = [1, 2, 3]
}

experiment "ridge-random" {
  extends     = template.ridge
  description = "The same model, random search"
  params = {
    alpha    = 0.1
    features = 8
    lr       = 0.05
    steps    = 200
  }
  sweep {
    method  = "random"
    samples = 8
    seed    = 42
    param "alpha" {
      distribution = "log_uniform"
      min          = 1e-4
      max          = 1
    }
    param "lr" {
      distribution = "uniform"
      min          = 0.01
      max          = 0.1
    }
    param "features" {
      distribution = "int_uniform"
      min          = 4
      max          = 16
    }
  }
  seeds = [1, 2]
}
