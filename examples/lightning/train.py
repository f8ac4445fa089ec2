"""A small MLP trained with PyTorch Lightning on synthetic data (no downloads).

Two ways to report to assay:

- no edits (experiments/mlp.hcl): nothing here knows about assay; Lightning's
  default logger writes TensorBoard event files under --root/lightning_logs,
  which the experiment's metrics_from block reads;
- one line (experiments/mlp_logger.hcl, --logger=assay): the Trainer gets
  logger=assay.LightningLogger(), which appends to the trial's metrics file.
"""

import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

try:
    import lightning.pytorch as L
except ImportError:  # the older package name
    import pytorch_lightning as L


class MLP(L.LightningModule):
    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val/acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--logger", choices=["default", "assay"], default="default")
    args = ap.parse_args()

    logger = True  # Lightning's default: TensorBoard files, for metrics_from
    if args.logger == "assay":
        # pip install "git+https://github.com/assaylab/assay#subdirectory=python"
        import assay

        logger = assay.LightningLogger()

    L.seed_everything(args.seed)
    teacher = torch.randn(16, 4)
    x = torch.randn(2048, 16)
    y = (x @ teacher).argmax(1)
    train = DataLoader(TensorDataset(x[:1536], y[:1536]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(x[1536:], y[1536:]), batch_size=256)
    trainer = L.Trainer(default_root_dir=args.root, logger=logger, max_epochs=args.epochs, accelerator="cpu",
                        log_every_n_steps=5, enable_progress_bar=False, enable_model_summary=False,
                        enable_checkpointing=False)
    trainer.fit(MLP(args.lr), train, val)


if __name__ == "__main__":
    main()
