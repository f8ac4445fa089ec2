locals {
  lr = 0.1
}

locals {
  lr = 0.2 # ERROR: Duplicate local
}

experiment "x" {
  command = ["train"]
}
