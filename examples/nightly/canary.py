"""A tiny nearest-centroid classifier on synthetic data.

Its accuracy depends on the seed and on CANARY_SHIFT, an environment
variable the nightly rehearsal sets to simulate drift without editing the
spec (so the trial keys, and the comparison with earlier nights, stay put).
"""

import json
import os
import random


def main():
    params = json.loads(os.environ.get("ASSAY_PARAMS", "{}"))
    noise = float(params.get("noise", 0.5)) + float(os.environ.get("CANARY_SHIFT", "0"))
    rng = random.Random(int(os.environ.get("ASSAY_SEED", "0")))
    def point(label):
        c = 1.0 if label else -1.0
        return [c + rng.gauss(0, noise * 2) for _ in range(4)], label
    train = [point(i % 2) for i in range(400)]
    test = [point(i % 2) for i in range(400)]
    centroids = {}
    for label in (0, 1):
        xs = [x for x, y in train if y == label]
        centroids[label] = [sum(col) / len(xs) for col in zip(*xs)]
    def predict(x):
        return min((sum((a - b) ** 2 for a, b in zip(x, c)), label) for label, c in centroids.items())[1]
    accuracy = sum(predict(x) == y for x, y in test) / len(test)
    with open(os.environ["ASSAY_METRICS_FILE"], "a") as f:
        f.write(json.dumps({"step": 1, "accuracy": accuracy}) + "\n")
    print(f"accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
