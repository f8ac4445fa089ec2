experiment "a" {
  command = ["train"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = [] } # ERROR: Empty values
  }
}
