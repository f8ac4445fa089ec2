experiment "a" {
  command = ["true"]
  metrics_from {
    tensorboard = "runs"
  }
  metric "acc" {
    tag = "val/acc"
  }
  metric "accuracy" {
    tag = "val/acc" # ERROR: Duplicate metric tag
  }
  metric "loss" {
    tag     = "" # ERROR: Empty metric tag
  }
  metric "speed" {
    pattern = "it/s=([0-9.]+)"
    tag     = "speed" # ERROR: Metric with both pattern and tag
  }
}

experiment "b" {
  command = ["true"]
  metric "acc" {
    tag = "val/acc" # WARNING: Metric tag without metrics_from
  }
}
