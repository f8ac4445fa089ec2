# Two searches over the learning rate and L2 weight of the same model.

template "logreg" {
  command = [
    "python3", "train.py",
    "--lr=${param.lr}", "--l2=${param.l2}", "--epochs=${param.epochs}", "--seed=${seed}",
  ]
  inputs = ["train.py"]
  params = {
    lr     = 0.1
    l2     = 0.001
    epochs = 30
  }
  runner {
    labels  = ["cpu"]
    timeout = "5m"
  }
  metric "val_loss" {
    goal    = "minimize"
    summary = "min"
  }
  metric "val_acc" {
    goal    = "maximize"
    summary = "max"
  }
}

# TPE proposes 4 points a round from the results of the rounds before it,
# 20 trials in all; ASHA stops a trial whose validation loss falls behind
# the earlier rounds' at epoch 2, 6 or 18 (min_steps · 3^k).
experiment "logreg-tpe" {
  extends     = template.logreg
  description = "TPE over lr and l2, with successive halving"
  sweep {
    method    = "tpe"
    budget    = 20
    batch     = 4
    seed      = 1
    objective = "val_loss"
    param "lr" {
      distribution = "log_uniform"
      min          = 0.001
      max          = 3
    }
    param "l2" {
      distribution = "log_uniform"
      min          = 1e-6
      max          = 1
    }
  }
  early_stop {
    rule             = "asha"
    min_steps        = 2
    reduction_factor = 3
  }
  seeds = [1]
}

# A 3 x 3 grid of the same space, run a row (one l2, every lr) a round, so
# that the median rule can stop a point that is worse, at the same epoch,
# than the points of the rows before it.
experiment "logreg-grid" {
  extends     = template.logreg
  description = "A 3 x 3 grid with median stopping"
  sweep {
    method = "grid"
    batch  = 3
    param "l2" { values = [1e-5, 1e-3, 1e-1] }
    param "lr" { values = [0.01, 0.1, 1] }
  }
  early_stop {
    rule         = "median"
    min_steps    = 3
    grace_period = 3
  }
  seeds = [1]
}
