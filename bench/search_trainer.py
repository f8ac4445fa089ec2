"""The quickstart's trainer as a function, for the search benchmark.

examples/quickstart/train.py runs unchanged: each call sets its command
line and ASSAY_METRICS_FILE as assay would, runs its main(), and reads the
metrics file it wrote. Run as a script, it answers one JSON object of
params per line of stdin ({"lr": 0.1, "l2": 0.001, "epochs": 10,
"seed": 1}) with the series it reported ({"val_loss": [...], ...}), so the
Go benchmark pays Python's start-up once.
"""

import contextlib
import importlib.util
import io
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.join(HERE, "..", "examples", "quickstart", "train.py")

_spec = importlib.util.spec_from_file_location("quickstart_train", TRAIN)
train = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(train)


def evaluate(lr, l2, epochs, seed):
    """Train once; return each metric's series, one value per epoch."""
    # The trainer writes out/weights.json where it runs: a scratch
    # directory, as assay gives a trial, not the caller's.
    scratch = tempfile.mkdtemp(prefix="search-trainer-")
    path = os.path.join(scratch, "metrics.jsonl")
    argv, env, cwd = sys.argv, os.environ.get("ASSAY_METRICS_FILE"), os.getcwd()
    sys.argv = ["train.py", "--lr=%r" % lr, "--l2=%r" % l2, "--epochs=%d" % epochs, "--seed=%d" % seed]
    os.environ["ASSAY_METRICS_FILE"] = path
    os.chdir(scratch)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            train.main()
        series = {}
        with open(path) as f:
            for line in f:
                point = json.loads(line)
                for k, v in point.items():
                    if k != "step":
                        series.setdefault(k, []).append(v)
        return series
    finally:
        sys.argv = argv
        if env is None:
            os.environ.pop("ASSAY_METRICS_FILE", None)
        else:
            os.environ["ASSAY_METRICS_FILE"] = env
        os.chdir(cwd)
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    for line in sys.stdin:
        p = json.loads(line)
        out = evaluate(p["lr"], p["l2"], int(p.get("epochs", 10)), int(p.get("seed", 1)))
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
