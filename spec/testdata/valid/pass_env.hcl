# pass_env lets through variables that only look like credentials.
template "tokens" {
  pass_env = ["MAX_TOKEN_LENGTH"]
}

experiment "lm" {
  extends    = template.tokens
  command    = ["python", "train.py"]
  secret_env = ["HF_TOKEN"]
}

experiment "lm_own" {
  command  = ["python", "train.py"]
  pass_env = ["PAD_TOKEN_ID", "SSH_AUTH_SOCK"]
}
