# PyTorch on synthetic data: no downloads. Each trial owns one GPU; on a
# machine with two GPUs, two trials run at once, each seeing only its own
# device through CUDA_VISIBLE_DEVICES.
experiment "torch-mlp" {
  description = "A two-layer MLP on a synthetic classification task"
  command     = ["python3", "train_torch.py", "--hidden=${param.hidden}", "--lr=${param.lr}"]
  inputs      = ["train_torch.py"]
  params = {
    hidden = 512
    lr     = 0.001
    steps  = 300
  }
  sweep {
    param "hidden" { values = [256, 1024] }
  }
  seeds = [1]
  runner {
    labels  = ["gpu"]
    gpus    = 1
    timeout = "15m"
  }
  metric "val_acc" {
    goal    = "maximize"
    summary = "max"
  }
  metric "train_loss" {
    goal = "minimize"
  }
  metric "samples_per_s" {
    pattern = "samples/s=([0-9.]+)"
  }
}
