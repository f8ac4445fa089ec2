template "base" {
  runner {
    labels  = ["cpu"]
    retries = 2
  }
  metric "acc" {
    goal    = "maximize"
    summary = "max"
  }
}

template "tuned" {
  extends = template.base
  runner { timeout = "30m" }
  metric "acc" { tolerance = 0.01 }
}

experiment "parent" {
  extends = template.tuned
  command = ["python", "train.py", "--depth=${param.depth}"]
  params  = { depth = 18 }
}

# An experiment may extend another experiment: a variant that changes one
# thing.
experiment "child" {
  extends = experiment.parent
  params  = { depth = 50 }
  tags    = ["variant"]
}
