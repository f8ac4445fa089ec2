template "t" {
  runner {
    retries = "many" # ERROR: Incorrect attribute value type
  }
}

experiment "a" {
  extends = template.t
  command = ["train"]
}

experiment "b" {
  extends = template.t
  command = ["train"]
}
