experiment "a" {
  command  = ["train"]
  pass_env = ["GITHUB_TOKEN"] # ERROR: GitHub credential passed to a trial
}

experiment "b" {
  command    = ["train"]
  secret_env = ["ACTIONS_RUNTIME_TOKEN"] # ERROR: GitHub credential passed to a trial
}

experiment "c" {
  command  = ["train"]
  pass_env = ["MY TOKEN"] # ERROR: Invalid environment variable name
}

experiment "d" {
  command  = ["train"]
  pass_env = "MAX_TOKEN_LENGTH" # ERROR: Incorrect attribute value type
}
