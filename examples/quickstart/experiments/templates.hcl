# Settings shared by every CPU experiment of this repository.
template "cpu-train" {
  runner {
    labels  = ["cpu"]
    timeout = "5m"
    retries = 1
  }

  metric "val_acc" {
    goal      = "maximize"
    summary   = "max"
    tolerance = 0.01
  }

  metric "train_loss" {
    goal = "minimize"
  }
}
