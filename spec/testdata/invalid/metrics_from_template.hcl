template "logs" {
  metrics_from { # ERROR: Empty metrics_from
  }
}

experiment "a" {
  extends = template.logs
  command = ["train"]
}
