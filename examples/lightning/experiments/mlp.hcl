# train.py is plain Lightning: it knows nothing of assay. Lightning's
# default logger writes TensorBoard event files under
# <default_root_dir>/lightning_logs, and metrics_from reads them as the
# trial runs. Each trial logs to its own directory, so trials that run side
# by side never read each other's files.
experiment "mlp" {
  description = "A small MLP on synthetic data, logged by Lightning's default logger"
  command     = ["python3", "train.py", "--root=runs/lr-${param.lr}-seed-${seed}", "--lr=${param.lr}", "--seed=${seed}"]
  inputs      = ["train.py"]
  params      = { lr = 0.05 }
  sweep {
    param "lr" { values = [0.05, 0.2] }
  }
  seeds = [1, 2]
  runner {
    labels  = ["cpu"]
    timeout = "10m"
  }

  metrics_from {
    tensorboard = "runs/lr-${param.lr}-seed-${seed}/lightning_logs"
  }
  # self.log("val/acc", ...) in train.py: the tag names the metric.
  metric "val_acc" {
    tag     = "val/acc"
    goal    = "maximize"
    summary = "max"
  }
  metric "train_loss" { goal = "minimize" }
}
