project {
  experiments    = ["experiments/**/*.hcl"]
  results_branch = "ml/results"
  results_repo   = "https://github.com/example/results.git"
  artifact_store = "s3://bucket/assay?region=eu-west-1"
  max_trials     = 5000
}

executor "local" {
  gpus     = ["0", "1"]
  labels   = ["gpu", "a100"]
  parallel = 4
}

executor "slurm" {
  partition     = "gpu"
  account       = "ml"
  qos           = "normal"
  labels        = ["gpu", "a100", "h100"]
  extra_args    = ["--mem=32G"]
  poll_interval = "10s"
  spool_dir     = "/shared/assay"
  gres_types    = { a100 = "a100", h100 = "h100" }
}

github {
  allow_forks = false
}
