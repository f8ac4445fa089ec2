# assay project settings. Every attribute has a default; see the README's
# spec reference for all of them.
project {
  experiments    = ["experiments/**/*.hcl"]
  results_branch = "assay/results"
}

# What this machine (or a GitHub runner that runs a shard) offers.
executor "local" {
  gpus   = "auto"
  labels = ["cpu"]
}

github {
  # Never run a fork's pull request on your runners unless a maintainer
  # approves its head commit with a comment: /assay approve <commit sha>.
  allow_forks = false
}
