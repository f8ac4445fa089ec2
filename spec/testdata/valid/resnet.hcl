# The example from DESIGN.md, spelled out.
variable "dataset" { default = "cifar10" }

locals { base_lr = 0.1 }

template "gpu-train" {
  runner {
    labels  = ["gpu", "a100"]
    gpus    = 1
    timeout = "2h"
  }
  metric "val_acc" {
    goal      = "maximize"
    summary   = "max"
    tolerance = 0.005
  }
}

experiment "resnet18" {
  extends     = template.gpu-train
  description = "ResNet-18, cosine schedule"
  command     = ["python", "train.py", "--lr=${param.lr}", "--bs=${param.batch_size}", "--seed=${seed}"]
  workdir     = "models/resnet"
  env         = { DATASET = var.dataset }
  inputs      = ["models/resnet/**", "data/cifar10.lock"]

  params = {
    lr         = local.base_lr
    batch_size = 128
  }

  sweep {
    method = "grid"
    param "lr" { values = [0.1, 0.03] }
    param "batch_size" { values = [64, 128] }
  }

  seeds = [1, 2, 3]
  metric "train_loss" { goal = "minimize" }
  metric "throughput" { pattern = "imgs/s=([0-9.]+)" }
  artifacts = ["out/model.pt", "out/*.png"]
  schedule  = "0 3 * * *"
}
