"""Optuna's TPE on the search benchmark's problems (bench/search.sh).

Prints one JSON line per repetition: {"rep": r, "values": [...]}, the
objective of each trial in the order Optuna ran them. The problems are
those of bench/cmd/searchbench, on the same domains: Branin, Hartmann-6,
and the quickstart's trainer (lowest validation loss over lr and l2, the
learning rate and L2 weight on log scales). TPESampler runs with its
defaults, seeded with the repetition, one trial at a time.
"""

import argparse
import importlib.util
import json
import math
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import optuna

A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
ALPHA = [1, 1.2, 3, 3.2]


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(trial):
    x = [trial.suggest_float("x%d" % (i + 1), 0, 1) for i in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


_trainer = None


def quickstart(trial):
    lr = trial.suggest_float("lr", 0.001, 3, log=True)
    l2 = trial.suggest_float("l2", 1e-6, 1, log=True)
    return min(_trainer.evaluate(lr, l2, 10, 1)["val_loss"])


def one(args):
    problem, rep, budget, trainer = args
    global _trainer
    if problem == "quickstart" and _trainer is None:
        spec = importlib.util.spec_from_file_location("search_trainer", trainer)
        _trainer = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_trainer)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=rep))
    study.optimize({"branin": branin, "hartmann6": hartmann6, "quickstart": quickstart}[problem], n_trials=budget)
    return [t.value for t in study.trials]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", required=True, choices=["branin", "hartmann6", "quickstart"])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--budget", type=int, default=40)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--trainer", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "search_trainer.py"))
    a = ap.parse_args()
    jobs = [(a.problem, rep, a.budget, a.trainer) for rep in range(a.reps)]
    with ProcessPoolExecutor(max_workers=max(1, a.parallel)) as pool:
        for rep, values in enumerate(pool.map(one, jobs)):
            print(json.dumps({"rep": rep, "values": values}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
