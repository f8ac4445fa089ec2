experiment "a" {
  command = ["train"]
  metric "acc" {
    tolerance = 0.01 # ERROR: Tolerance without a goal
  }
}
