experiment "a" {
  command = ["true"]
  runner {
    timeout = "0s" # ERROR: Invalid duration
  }
}

experiment "b" {
  command = ["true"]
  runner {
    timeout = "-5m" # ERROR: Invalid duration
  }
}
