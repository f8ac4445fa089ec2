experiment "a" {
  command = ["true"]
  metric "acc" {
    goal = "maximise" # ERROR: Invalid goal
  }
}
