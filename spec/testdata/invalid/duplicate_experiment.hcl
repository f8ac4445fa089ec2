experiment "a" {
  command = ["true"]
}

experiment "a" { # ERROR: Duplicate experiment
  command = ["false"]
}
