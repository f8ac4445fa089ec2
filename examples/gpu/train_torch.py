"""A two-layer MLP trained with PyTorch on synthetic data (no downloads).

Runs on the GPU that assay assigned through CUDA_VISIBLE_DEVICES (it sees it
as cuda:0), or on the CPU when there is none. Follows the run contract:
params from ASSAY_PARAMS, metrics as JSON lines to ASSAY_METRICS_FILE.
"""

import argparse
import json
import os
import time

import torch


def main():
    params = json.loads(os.environ.get("ASSAY_PARAMS", "{}"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, default=params.get("hidden", 512))
    ap.add_argument("--lr", type=float, default=params.get("lr", 1e-3))
    ap.add_argument("--steps", type=int, default=params.get("steps", 300))
    args = ap.parse_args()

    seed = int(os.environ.get("ASSAY_SEED", "0"))
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    print(f"device={device} CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '')}", flush=True)

    dim, classes, n = 64, 10, 50_000
    teacher = torch.randn(dim, classes, device=device)
    x = torch.randn(n, dim, device=device)
    y = (x @ teacher + 0.5 * torch.randn(n, classes, device=device)).argmax(dim=1)
    x_val = torch.randn(10_000, dim, device=device)
    y_val = (x_val @ teacher).argmax(dim=1)

    model = torch.nn.Sequential(
        torch.nn.Linear(dim, args.hidden), torch.nn.ReLU(), torch.nn.Linear(args.hidden, classes)
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    metrics = open(os.environ["ASSAY_METRICS_FILE"], "a") if "ASSAY_METRICS_FILE" in os.environ else None
    batch = 1024
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        idx = torch.randint(0, n, (batch,), device=device)
        loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == args.steps:
            with torch.no_grad():
                acc = (model(x_val).argmax(dim=1) == y_val).float().mean().item()
            rate = step * batch / (time.perf_counter() - start)
            print(f"step={step} loss={loss.item():.4f} val_acc={acc:.4f} samples/s={rate:.0f}", flush=True)
            if metrics:
                metrics.write(json.dumps({"step": step, "train_loss": loss.item(), "val_acc": acc}) + "\n")
                metrics.flush()


if __name__ == "__main__":
    main()
