# Project settings for the search example: CPU only.
project {
  experiments    = ["experiments/**/*.hcl"]
  results_branch = "assay/results"
}

executor "local" {
  gpus   = []
  labels = ["cpu"]
}
