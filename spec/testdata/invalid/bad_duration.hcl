experiment "a" {
  command = ["true"]
  runner {
    timeout = "2 hours" # ERROR: Invalid duration
  }
}
