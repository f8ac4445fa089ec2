"""A stand-in for a training script, following assay's run contract."""

import json
import os
import random

params = json.loads(os.environ.get("ASSAY_PARAMS", "{}"))
rng = random.Random(int(os.environ.get("ASSAY_SEED", "0")))
lr, steps = float(params.get("lr", 0.1)), int(params.get("steps", 50))
x = 5.0
with open(os.environ.get("ASSAY_METRICS_FILE", os.devnull), "a") as metrics:
    for step in range(1, steps + 1):
        x -= lr * 2 * x + rng.gauss(0, 0.01)
        metrics.write(json.dumps({"step": step, "loss": x * x}) + "\n")
print(f"loss={x * x:.6f}")
