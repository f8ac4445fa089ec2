variable "epochs" {
  type    = number
  default = 10
}

variable "layers" {
  type    = list(number)
  default = [64, 32]
}

locals {
  # Locals may refer to each other in any order.
  lrs      = [for x in local.exponents : pow(10, x)]
  exponents = [-1, -2, -3]
  name     = upper(format("run-%d", var.epochs))
}

experiment "functions" {
  description = "${local.name} with ${length(var.layers)} layers"
  command     = concat(["python", "mlp.py"], [for l in var.layers : "--hidden=${l}"], ["--lr=${param.lr}", "--epochs=${var.epochs}"])
  params      = { lr = local.lrs[0] }
  sweep {
    param "lr" { values = local.lrs }
  }
  env = { EPOCHS = var.epochs, TAG = join("-", ["a", "b"]) }
}
