experiment "a" {
  command = ["true"]
  metric "acc" {
    goal    = "maximize"
    primary = true
  }
  metric "loss" {
    goal    = "minimize"
    primary = true # ERROR: Two primary metrics
  }
}
