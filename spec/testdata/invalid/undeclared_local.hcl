locals {
  base_lr = 0.1
  warmup  = local.base_lr * local.warmup_factor # ERROR: Reference to undeclared local
}

experiment "resnet" {
  command = ["python", "train.py"]
  params  = { lr = local.base_rl } # ERROR: Reference to undeclared local
}
