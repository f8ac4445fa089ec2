variable "dataset" { default = "cifar10" }

experiment "a" {
  command = ["train", "--data=${var.datset}"] # ERROR: Unsupported attribute
}
