"""What the tests share: where things are, and a trial's environment."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PYTHON_DIR)

# The run contract (docs/run.md): what assay sets for a trial.
CONTRACT = [
    "ASSAY_RUN_ID",
    "ASSAY_TRIAL_KEY",
    "ASSAY_EXPERIMENT",
    "ASSAY_SEED",
    "ASSAY_PARAMS",
    "ASSAY_ATTEMPT",
    "ASSAY_METRICS_FILE",
    "ASSAY_ARTIFACTS_DIR",
]


@contextlib.contextmanager
def environ(**values):
    """Set (or, with None, unset) environment variables for the block."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def outside():
    """No part of the run contract set, as on a laptop."""
    with environ(**{k: None for k in CONTRACT}):
        yield


@contextlib.contextmanager
def trial(params=None, seed=3):
    """A trial's environment as assay run sets it, in a temporary directory:
    yields (metrics file, artifacts dir)."""
    tmp = tempfile.mkdtemp(prefix="assay-test-")
    try:
        metrics = os.path.join(tmp, "metrics.jsonl")
        open(metrics, "w").close()  # assay creates it empty before the trial
        arts = os.path.join(tmp, "artifacts")
        os.mkdir(arts)
        with environ(
            ASSAY_RUN_ID="20260301T120000.000Z-7k3m9q2xa4",
            ASSAY_TRIAL_KEY="0" * 64,
            ASSAY_EXPERIMENT="mnist",
            ASSAY_SEED=str(seed),
            ASSAY_PARAMS=json.dumps(params if params is not None else {"lr": 0.05}),
            ASSAY_ATTEMPT="1",
            ASSAY_METRICS_FILE=metrics,
            ASSAY_ARTIFACTS_DIR=arts,
        ):
            yield metrics, arts
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def lines(path):
    """The metrics file's lines, each decoded; every line must be whole."""
    with open(path) as f:
        text = f.read()
    assert text == "" or text.endswith("\n"), "torn last line: %r" % text[-80:]
    return [json.loads(line) for line in text.splitlines()]


def run_python(code, env=None, cwd=None, path=(PYTHON_DIR,)):
    """Run code in a fresh interpreter (this one's executable) with path on
    PYTHONPATH; returns the completed process, output captured."""
    e = dict(os.environ if env is None else env)
    e["PYTHONPATH"] = os.pathsep.join(path)
    e.pop("PYTHONSTARTUP", None)
    return subprocess.run([sys.executable, "-c", code], env=e, cwd=cwd, capture_output=True, text=True, timeout=300)
