"""Logistic regression trained by SGD on a synthetic dataset.

The quickstart's trainer, as a search sees it: nothing but the Python
standard library, and assay's run contract:

- params come from the command line (the spec fills them in);
- after every epoch one JSON line goes to ASSAY_METRICS_FILE, so early
  stopping can judge the validation loss while the trial runs;
- the weights go to ASSAY_ARTIFACTS_DIR.

The dataset is generated from the seed, so a trial is reproducible.
"""

import argparse
import json
import math
import os
import random
import sys


def make_dataset(n, dim, seed):
    rng = random.Random(seed)
    true_w = [rng.gauss(0, 1) for _ in range(dim)]
    xs, ys = [], []
    for _ in range(n):
        x = [rng.gauss(0, 1) for _ in range(dim)]
        z = sum(w * v for w, v in zip(true_w, x)) + rng.gauss(0, 0.8)
        xs.append(x)
        ys.append(1 if z > 0 else 0)
    return xs, ys


def sigmoid(z):
    if z < -30:
        return 0.0
    if z > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def evaluate(w, b, xs, ys):
    loss, correct = 0.0, 0
    for x, y in zip(xs, ys):
        p = sigmoid(sum(wi * xi for wi, xi in zip(w, x)) + b)
        p = min(max(p, 1e-9), 1 - 1e-9)
        loss -= y * math.log(p) + (1 - y) * math.log(1 - p)
        correct += (p > 0.5) == (y == 1)
    return loss / len(xs), correct / len(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--l2", type=float, default=0.001)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("ASSAY_SEED", "0")))
    args = ap.parse_args()

    n = 800
    xs, ys = make_dataset(n, 10, args.seed)
    split = int(n * 0.75)
    train, val = (xs[:split], ys[:split]), (xs[split:], ys[split:])

    rng = random.Random(args.seed + 1)
    w, b = [0.0] * 10, 0.0
    order = list(range(split))
    metrics_path = os.environ.get("ASSAY_METRICS_FILE")
    metrics = open(metrics_path, "a") if metrics_path else None
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(order)
        for i in order:
            x, y = train[0][i], train[1][i]
            g = sigmoid(sum(wi * xi for wi, xi in zip(w, x)) + b) - y
            w = [wi - args.lr * (g * xi + args.l2 * wi) for wi, xi in zip(w, x)]
            b -= args.lr * g
        train_loss, _ = evaluate(w, b, *train)
        val_loss, val_acc = evaluate(w, b, *val)
        print(f"epoch={epoch} train_loss={train_loss:.4f} val_loss={val_loss:.4f} val_acc={val_acc:.4f}", flush=True)
        if metrics:
            point = {"step": epoch, "train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc}
            metrics.write(json.dumps(point) + "\n")
            metrics.flush()

    out_dir = os.environ.get("ASSAY_ARTIFACTS_DIR")
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "weights.json"), "w") as f:
            json.dump({"w": w, "b": b}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
