experiment "a" {
  command    = ["train"]
  secret_env = ["WANDB_API_KEY"]
  env        = { WANDB_API_KEY = "leaked" } # ERROR: Secret set in env
}
