experiment "finetune" {
  command = ["python", "finetune.py"]
  inputs  = ["finetune/**", artifact("pretrain", "../secrets/key")] # ERROR: Invalid function argument
}
