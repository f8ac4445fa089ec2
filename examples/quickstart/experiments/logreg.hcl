variable "samples" {
  default     = 800
  description = "Size of the synthetic dataset."
}

locals {
  base_lr = 0.1
}

experiment "logreg" {
  extends     = template.cpu-train
  description = "Logistic regression by SGD on a synthetic, linearly separable-ish dataset"
  tags        = ["quickstart", "cpu"]
  command = [
    "python3", "train.py",
    "--lr=${param.lr}", "--l2=${param.l2}", "--epochs=${param.epochs}", "--seed=${seed}",
  ]
  env    = { SAMPLES = var.samples }
  inputs = ["train.py"]

  params = {
    lr     = local.base_lr
    l2     = 0.001
    epochs = 15
  }

  sweep {
    method = "grid"
    param "lr" { values = [local.base_lr, 0.03] }
    param "l2" { values = [0.001, 0.01] }
  }

  seeds = [1, 2, 3]

  metric "epoch_time_ms" {
    pattern = "epoch_ms=([0-9.]+)"
  }

  artifacts = ["out/weights.json"]
}
