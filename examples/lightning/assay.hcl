# Project settings for the Lightning example: this machine runs trials on
# its CPU and offers the "cpu" label.
project {
  experiments    = ["experiments/**/*.hcl"]
  results_branch = "assay/results"
}

executor "local" {
  gpus   = []
  labels = ["cpu"]
}
