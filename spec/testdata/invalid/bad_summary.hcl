experiment "a" {
  command = ["true"]
  metric "acc" {
    goal    = "maximize"
    summary = "median" # ERROR: Invalid summary
  }
}
