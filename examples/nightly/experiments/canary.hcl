# A canary: a fixed config rerun every night. If its accuracy drifts (a
# dependency upgrade, a data change, a flaky GPU driver), the nightly report
# opens an issue; when it recovers, the issue is closed.
experiment "canary" {
  description = "Nightly canary: fixed config, five seeds"
  command     = ["python3", "canary.py"]
  inputs      = ["canary.py"]
  params      = { noise = 0.5 }
  seeds       = [1, 2, 3, 4, 5]
  schedule    = "nightly"
  runner {
    labels  = ["cpu"]
    timeout = "1m"
  }
  metric "accuracy" {
    goal      = "maximize"
    tolerance = 0.02
  }
}
