# var.dataset is used, but no variable block declares it.
experiment "resnet" {
  command = ["python", "train.py"]
  env     = { DATASET = var.dataset } # ERROR: Reference to undeclared variable
}
