locals {
  a = local.b + 1 # ERROR: Cycle in locals
  b = local.a * 2
}

experiment "x" {
  command = ["train", "--a=${local.a}"]
}
