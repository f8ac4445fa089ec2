"""A real `assay run` of a training script that uses the helper.

The script imports a copy of assay.py placed beside it (the copy-one-file
way), reads its params, logs metrics and keeps an artifact; the record
that `assay show` prints must hold all of it. The assay binary is ASSAY_BIN
(make test builds it), or one built here with go.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

from tests import support

TRAIN = '''
import os
import assay

p = assay.params(lr=0.1, epochs=2)
assert assay.active()
print("seed=%d run=%s lr=%s" % (assay.seed(), assay.run_id(), p["lr"]))
for epoch in range(p["epochs"]):
    assay.log(step=epoch * 10, train_loss=1.0 / (1 + epoch * p["lr"]), **{"val/acc": 0.5 + 0.125 * epoch})
os.makedirs("out", exist_ok=True)
with open("out/model.txt", "w") as f:
    f.write("weights lr=%s" % p["lr"])
assay.artifact("out/model.txt")
'''

SPEC = '''
experiment "tiny" {
  command = [%s, "train.py"]
  inputs  = ["train.py", "assay.py"]
  params  = { lr = 0.5, epochs = 4 }
  seeds   = [7]
  metric "val_acc" {
    goal    = "maximize"
    summary = "max"
  }
  metric "train_loss" { goal = "minimize" }
}
'''


def assay_binary(tmp):
    """ASSAY_BIN, else a binary built from this repository; None and why."""
    path = os.environ.get("ASSAY_BIN")
    if path:
        return os.path.abspath(path), None
    if shutil.which("go") is None:
        return None, "no assay binary: set ASSAY_BIN or put go on PATH to build one"
    out = os.path.join(tmp, "assay")
    build = subprocess.run(
        ["go", "build", "-tags", "disable_grpc_modules", "-o", out, "./cmd/assay"],
        cwd=support.REPO, capture_output=True, text=True, timeout=900,
    )
    if build.returncode != 0:
        raise AssertionError("go build ./cmd/assay failed:\n" + build.stderr)
    return out, None


class TestAssayRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="assay-run-")
        cls.bin, why = assay_binary(cls.tmp)
        if cls.bin is None:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest(why)
        if shutil.which("git") is None:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest("git is not installed")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.repo = tempfile.mkdtemp(prefix="repo-", dir=self.tmp)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_") and not k.startswith("GIT_")}
        self.env.update(
            HOME=self.repo, NO_COLOR="1", GITHUB_ACTIONS="", GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="Ada", GIT_AUTHOR_EMAIL="ada@example.com",
            GIT_COMMITTER_NAME="Ada", GIT_COMMITTER_EMAIL="ada@example.com",
        )

    def sh(self, *args, ok=True):
        p = subprocess.run(args, cwd=self.repo, env=self.env, capture_output=True, text=True, timeout=600)
        if ok and p.returncode != 0:
            self.fail("%s exited %d\nstdout:\n%s\nstderr:\n%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
        return p

    def write(self, rel, text):
        path = os.path.join(self.repo, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def test_run_records_what_the_helper_reported(self):
        self.write("assay.hcl", 'executor "local" {\n  gpus   = []\n  labels = ["cpu"]\n}\n')
        self.write("experiments/tiny.hcl", SPEC % json.dumps(sys.executable))
        self.write("train.py", textwrap.dedent(TRAIN))
        shutil.copy(os.path.join(support.PYTHON_DIR, "assay.py"), os.path.join(self.repo, "assay.py"))
        self.write(".gitignore", "out/\n__pycache__/\n")
        self.sh("git", "init", "-q")
        self.sh("git", "add", "-A")
        self.sh("git", "commit", "-q", "-m", "tiny")

        run = self.sh(self.bin, "run", "--all")
        self.assertRegex(run.stdout, r"(?m)^tiny +epochs=4 lr=0\.5 +7 +succeeded .* train_loss=0\.4 val_acc=0\.875$")
        run_id = self.sh(self.bin, "ls", "--experiment", "tiny", "--format", "csv").stdout.splitlines()[-1].split(",")[0]

        show = json.loads(self.sh(self.bin, "show", run_id, "--format", "json").stdout)
        rec = show["record"]
        self.assertEqual(rec["status"], "succeeded")
        self.assertEqual(rec["params"], {"epochs": 4, "lr": 0.5})
        self.assertEqual(rec["seed"], 7)
        self.assertEqual(rec.get("warnings"), None, rec.get("warnings"))
        # val/acc was filed as val_acc, the metric block's name; max over
        # 0.5, 0.625, 0.75, 0.875. train_loss is the last of 1/(1+0.5e).
        self.assertEqual(rec["metrics"]["val_acc"], 0.875)
        self.assertAlmostEqual(rec["metrics"]["train_loss"], 1 / 2.5)
        self.assertEqual(show["series"]["val_acc"], [{"step": s, "value": 0.5 + 0.125 * e} for e, s in enumerate((0, 10, 20, 30))])
        self.assertEqual([p["step"] for p in show["series"]["train_loss"]], [0, 10, 20, 30])
        # The params and identity reached the script through the contract.
        self.assertIn("seed=7 run=%s lr=0.5" % run_id, show["log"])
        # The artifact the script kept is in the record and in the store.
        self.assertIn("model.txt", rec["artifacts"])
        self.sh(self.bin, "artifacts", "get", run_id, "model.txt", "-o", os.path.join(self.repo, "got.txt"))
        with open(os.path.join(self.repo, "got.txt")) as f:
            self.assertEqual(f.read(), "weights lr=0.5")

        text = self.sh(self.bin, "show", run_id, "--no-log").stdout
        self.assertRegex(text, r"(?m)^  val_acc +0\.875 +4 ")


if __name__ == "__main__":
    unittest.main()
