# Project settings for the quickstart. Everything here has a default; the
# values are spelled out so you can see what there is to change.
project {
  experiments    = ["experiments/**/*.hcl"]
  results_branch = "assay/results"
}

# This machine: no GPUs needed, and it offers the "cpu" label.
executor "local" {
  gpus   = []
  labels = ["cpu"]
}

github {
  allow_forks = false
}
