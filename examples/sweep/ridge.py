"""Ridge regression by full-batch gradient descent on synthetic data.

Follows assay's run contract with the standard library only: params from
ASSAY_PARAMS, metrics as JSON lines to ASSAY_METRICS_FILE, seed from
ASSAY_SEED.
"""

import json
import os
import random


def main():
    p = json.loads(os.environ.get("ASSAY_PARAMS", "{}"))
    alpha, lr = float(p.get("alpha", 0.1)), float(p.get("lr", 0.05))
    features, steps = int(p.get("features", 8)), int(p.get("steps", 200))
    seed = int(os.environ.get("ASSAY_SEED", "0"))
    rng = random.Random(seed)

    true_w = [rng.gauss(0, 1) if i < 6 else 0.0 for i in range(16)]
    def sample(n):
        xs = [[rng.gauss(0, 1) for _ in range(16)] for _ in range(n)]
        ys = [sum(w * x for w, x in zip(true_w, row)) + rng.gauss(0, 0.5) for row in xs]
        return [row[:features] for row in xs], ys
    train_x, train_y = sample(200)
    val_x, val_y = sample(100)

    def mse(w, xs, ys):
        return sum((sum(a * b for a, b in zip(w, x)) - y) ** 2 for x, y in zip(xs, ys)) / len(ys)

    w = [0.0] * features
    out = open(os.environ["ASSAY_METRICS_FILE"], "a") if "ASSAY_METRICS_FILE" in os.environ else None
    for step in range(1, steps + 1):
        grad = [alpha * wi for wi in w]
        for x, y in zip(train_x, train_y):
            err = sum(a * b for a, b in zip(w, x)) - y
            for i in range(features):
                grad[i] += 2 * err * x[i] / len(train_y)
        w = [wi - lr * g for wi, g in zip(w, grad)]
        if step % 20 == 0 or step == steps:
            rec = {"step": step, "train_mse": mse(w, train_x, train_y), "val_mse": mse(w, val_x, val_y)}
            print(json.dumps(rec), flush=True)
            if out:
                out.write(json.dumps(rec) + "\n")
                out.flush()


if __name__ == "__main__":
    main()
