variable "dataset" { default = "cifar10" }

experiment "a" {
  command = ["train", "--data=${var.datset}"] # ERROR: Reference to undeclared variable
}
