experiment "shell" {
  command    = "python train.py --lr ${param.lr} | tee train.log"
  params     = { lr = 0.01 }
  secret_env = ["WANDB_API_KEY", "HF_TOKEN"]
  runner {
    gpus = 2
  }
  schedule = "nightly"
}
