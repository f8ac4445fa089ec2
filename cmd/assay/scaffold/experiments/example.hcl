# An example experiment: a small grid over three seeds. Replace the command
# with your training script; it receives its params as JSON in ASSAY_PARAMS
# and appends metrics as JSON lines to the file named by ASSAY_METRICS_FILE.
experiment "example" {
  description = "A toy objective; replace with your training run"
  command     = ["python3", "train_example.py"]
  inputs      = ["train_example.py"]
  params = {
    lr    = 0.1
    steps = 50
  }
  sweep {
    param "lr" { values = [0.1, 0.03] }
  }
  seeds = [1, 2, 3]
  runner {
    labels  = ["cpu"]
    timeout = "10m"
  }
  metric "loss" {
    goal      = "minimize"
    tolerance = 0.01
  }
}
