experiment "a" {
  command = ["train", "--lr=${param.lr}"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = [0.1, 0.01] }
    param "momentum" { values = [0.9] } # ERROR: Sweep over an undeclared param
  }
}
