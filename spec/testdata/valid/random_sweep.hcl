experiment "random" {
  command = ["python", "train.py", "--lr=${param.lr}", "--wd=${param.wd}", "--layers=${param.layers}", "--opt=${param.optimizer}"]
  params = {
    lr        = 0.1
    wd        = 0.0001
    layers    = 4
    optimizer = "sgd"
    dropout   = 0.1
  }
  sweep {
    method     = "random"
    samples    = 20
    seed       = 7
    max_trials = 100
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
      distribution = "int_uniform"
      min          = 2
      max          = 8
    }
    param "optimizer" { values = ["sgd", "adam", "adamw"] }
  }
  seeds = [1, 2]
}
