experiment "a" {
  command = ["train"]
  params  = { a = 0, b = 0 }
  sweep { # ERROR: Too many trials
    param "a" { values = range(200) }
    param "b" { values = range(100) }
  }
}
