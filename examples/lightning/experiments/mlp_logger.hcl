# The one-line way: the same train.py with --logger=assay hands Lightning
# assay's logger (logger=assay.LightningLogger()), which appends to the
# trial's metrics file itself, so no metrics_from block is needed. Names
# arrive as metrics_from would file them: self.log("val/acc") is val_acc.
# Needs the helper on the machine that runs it:
#   pip install "git+https://github.com/assaylab/assay#subdirectory=python"
experiment "mlp_logger" {
  description = "The same MLP, reporting through assay's Lightning logger"
  command     = ["python3", "train.py", "--root=runs/logger-lr-${param.lr}-seed-${seed}", "--lr=${param.lr}", "--seed=${seed}", "--logger=assay"]
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

  metric "val_acc" {
    goal    = "maximize"
    summary = "max"
  }
  metric "train_loss" { goal = "minimize" }
}
