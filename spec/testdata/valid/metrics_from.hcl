# Metrics read from the files training libraries write: TensorBoard
# events, CSV logs, the Hugging Face Trainer's state, MLflow's file store.
template "lightning" {
  metrics_from {
    tensorboard = "lightning_logs"
    csv         = ["lightning_logs/*/metrics.csv"]
  }
  metric "val_acc" {
    goal    = "maximize"
    summary = "max"
    tag     = "val/acc"
  }
}

experiment "mnist" {
  extends = template.lightning
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [1, 2]
  # Each trial logs to its own directory: the glob follows the seed.
  metrics_from {
    tensorboard = "runs/seed-${seed}/**"
  }
  metric "train_loss" { goal = "minimize" }
}

experiment "bert" {
  command = ["python", "finetune.py", "--lr=${param.lr}", "--out=out/${param.lr}"]
  params  = { lr = 0.001 }
  sweep {
    param "lr" { values = [0.001, 0.0003] }
  }
  metrics_from {
    trainer_state = "out/${param.lr}/trainer_state.json"
    mlflow        = "mlruns"
  }
  metric "eval_loss" { goal = "minimize" }
  metric "accuracy" { tag = "eval/accuracy" }
}
