project {
  results_branch = "assay results" # ERROR: Invalid results branch
}

executor "kubernetes" { # ERROR: Unknown executor
}

executor "local" {
  labels = ["gpu"]
  gpus   = "all" # ERROR: Incorrect attribute value type
}

github {
  allow_forks    = "yes please"   # ERROR: Incorrect attribute value type
  approval_label = "safe-to-test" # WARNING: approval_label no longer approves
}
