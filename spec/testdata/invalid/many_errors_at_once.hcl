experiment "a" {
  command = ["train"]
  seeds   = [1.5] # ERROR: Incorrect attribute value type
  runner {
    timeout = "soon" # ERROR: Invalid duration
  }
  schedule = "every night" # ERROR: Invalid schedule
  metric "acc" {
    goal = "up" # ERROR: Invalid goal
  }
}
