experiment "pretrain" {
  command   = ["python", "pretrain.py"]
  artifacts = ["out/model.pt"]
}

experiment "finetune" {
  command = ["python", "finetune.py", "--init=out/model.pt"]
  inputs  = ["finetune/**", artifact("pretrain", "out/model.pt")]
}
