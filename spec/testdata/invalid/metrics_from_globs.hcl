experiment "a" {
  command = ["true"]
  metrics_from {
    tensorboard   = "/var/log/runs"       # ERROR: Invalid metrics_from glob
    csv           = ["logs/*.csv", "../x"] # ERROR: Invalid metrics_from glob
    trainer_state = "out/[trainer"        # ERROR: Invalid metrics_from glob
    mlflow        = 3                     # ERROR: Incorrect attribute value type
  }
}

experiment "b" {
  command = ["true"]
  params  = { lr = 0.1 }
  metrics_from {
    tensorboard = "runs/${param.rl}" # ERROR: Reference to undeclared param
    tensorbord  = "runs"             # ERROR: Unsupported argument
  }
  metrics_from { # ERROR: Duplicate metrics_from block
    csv = "x.csv"
  }
}

experiment "c" {
  command = ["true"]
  metrics_from { # ERROR: Empty metrics_from
  }
}
