"""assay.params, log, artifact, seed and run_id, inside a trial and outside."""

import decimal
import fractions
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import unittest

import assay

from tests import support


class Scalar:
    """Like a one-element torch tensor or a numpy scalar: .item() gives
    the number."""

    def __init__(self, v):
        self.v = v

    def item(self):
        return self.v


class Vector:
    """Like a tensor of several elements: .item() refuses."""

    def item(self):
        raise RuntimeError("a Tensor with 3 elements cannot be converted to Scalar")


class TestThisModule(unittest.TestCase):
    def test_tests_import_the_file_in_this_tree(self):
        self.assertEqual(os.path.dirname(os.path.abspath(assay.__file__)), support.PYTHON_DIR)

    def test_version_matches_pyproject(self):
        with open(os.path.join(support.PYTHON_DIR, "pyproject.toml")) as f:
            self.assertIn('version = "%s"' % assay.__version__, f.read())


class TestParams(unittest.TestCase):
    def test_trial_params_win_over_defaults_and_extra_params_are_kept(self):
        with support.trial(params={"lr": 0.03, "layers": [64, 32], "opt": {"name": "sgd"}}):
            p = assay.params({"lr": 0.1, "epochs": 5}, batch_size=128)
        self.assertEqual(p, {"lr": 0.03, "epochs": 5, "batch_size": 128, "layers": [64, 32], "opt": {"name": "sgd"}})

    def test_outside_assay_the_defaults(self):
        with support.outside():
            self.assertEqual(assay.params(lr=0.1), {"lr": 0.1})
            self.assertEqual(assay.params(), {})
            self.assertEqual(assay.params({"a": 1}), {"a": 1})

    def test_defaults_are_not_changed(self):
        defaults = {"lr": 0.1}
        with support.trial(params={"lr": 0.5}):
            self.assertEqual(assay.params(defaults)["lr"], 0.5)
        self.assertEqual(defaults, {"lr": 0.1})

    def test_bad_params_say_what_is_wrong(self):
        with support.environ(ASSAY_PARAMS="[1, 2]"):
            with self.assertRaisesRegex(ValueError, "ASSAY_PARAMS is not a JSON object"):
                assay.params()
        with support.environ(ASSAY_PARAMS="{lr: 1"):
            with self.assertRaisesRegex(ValueError, "ASSAY_PARAMS is not valid JSON"):
                assay.params()


class TestIdentity(unittest.TestCase):
    def test_inside(self):
        with support.trial(seed=7):
            self.assertEqual(assay.seed(), 7)
            self.assertEqual(assay.seed(default=1), 7)
            self.assertEqual(assay.run_id(), "20260301T120000.000Z-7k3m9q2xa4")
            self.assertTrue(assay.active())

    def test_outside(self):
        with support.outside():
            self.assertEqual(assay.seed(), 0)
            self.assertEqual(assay.seed(default=42), 42)
            self.assertIsNone(assay.run_id())
            self.assertFalse(assay.active())


class TestLog(unittest.TestCase):
    def test_lines_as_the_contract_reads_them(self):
        with support.trial() as (metrics, _):
            assay.log(step=10, val_acc=0.81, train_loss=0.4)
            assay.log(val_acc=0.85)
            got = support.lines(metrics)
        self.assertEqual(got, [{"step": 10, "val_acc": 0.81, "train_loss": 0.4}, {"val_acc": 0.85}])

    def test_each_line_is_on_disk_when_log_returns(self):
        # Read through a second descriptor after each call, as assay polls.
        with support.trial() as (metrics, _):
            for i in range(5):
                assay.log(step=i, loss=1.0 / (i + 1))
                with open(metrics) as f:
                    self.assertEqual(len(f.read().splitlines()), i + 1)

    def test_values_that_are_numbers_in_disguise(self):
        with support.trial() as (metrics, _):
            assay.log(
                step=Scalar(3),
                tensor=Scalar(0.25),
                int_tensor=Scalar(7),
                flag=True,
                text="0.5",
                dec=decimal.Decimal("1.5"),
                frac=fractions.Fraction(1, 4),
            )
            got = support.lines(metrics)
        self.assertEqual(got, [{"step": 3, "tensor": 0.25, "int_tensor": 7, "flag": 1, "text": 0.5, "dec": 1.5, "frac": 0.25}])

    def test_names_are_filed_as_assay_names_tensorboard_tags(self):
        with support.trial() as (metrics, _):
            assay.log(step=1, **{"val/acc": 0.9, "lr-Adam": 0.01, "Loss/train": 2, "__x__": 1, "//": 3, "ok_name": 4})
            got = support.lines(metrics)
        self.assertEqual(got, [{"step": 1, "val_acc": 0.9, "lr_Adam": 0.01, "Loss_train": 2, "x": 1, "//": 3, "ok_name": 4}])

    def test_metric_name_matches_the_go_side(self):
        # The same table as runner/metrics' sanitizeName and docs/metrics.md.
        cases = {
            "val_acc": "val_acc",
            "val/acc": "val_acc",
            "eval/loss": "eval_loss",
            "eval/samples_per_second": "eval_samples_per_second",
            "lr-Adam": "lr_Adam",
            "Loss/train": "Loss_train",
            "a  b": "a_b",
            "_a__b_": "a_b",
            "é/x": "x",
            "": "",
            "///": "///",
        }
        for raw, want in cases.items():
            self.assertEqual(assay.metric_name(raw), want, raw)

    def test_non_finite_values_are_written_for_assay_to_report(self):
        with support.trial() as (metrics, _):
            assay.log(step=1, loss=float("nan"), grad=float("inf"), acc=0.5)
            with open(metrics) as f:
                text = f.read()
        self.assertEqual(text, '{"step":1,"loss":NaN,"grad":Infinity,"acc":0.5}\n')

    def test_not_a_number_is_an_error_inside_and_outside(self):
        for env in (support.trial, support.outside):
            with env():
                with self.assertRaisesRegex(TypeError, r"assay.log: acc='high' is not a number"):
                    assay.log(step=1, acc="high")
                with self.assertRaisesRegex(TypeError, "is not a number"):
                    assay.log(v=Vector())
                with self.assertRaisesRegex(TypeError, "is not a number"):
                    assay.log(v=None)
                with self.assertRaisesRegex(TypeError, "step=1.5 is not a whole number"):
                    assay.log(step=1.5, v=1)
                with self.assertRaisesRegex(TypeError, "step=True is not a whole number"):
                    assay.log(step=True, v=1)

    def test_a_bad_value_writes_nothing(self):
        with support.trial() as (metrics, _):
            with self.assertRaises(TypeError):
                assay.log(step=1, good=1, bad="x")
            self.assertEqual(support.lines(metrics), [])

    def test_float_steps_that_are_whole_are_taken(self):
        with support.trial() as (metrics, _):
            assay.log(step=4.0, v=1)
            self.assertEqual(support.lines(metrics), [{"step": 4, "v": 1}])

    def test_nothing_to_write_writes_nothing(self):
        with support.trial() as (metrics, _):
            assay.log()
            assay.log(step=3)
            self.assertEqual(support.lines(metrics), [])

    def test_outside_assay_nothing_is_written_anywhere(self):
        with tempfile.TemporaryDirectory() as tmp:
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                with support.outside():
                    assay.log(step=1, loss=0.5)
            finally:
                os.chdir(cwd)
            self.assertEqual(os.listdir(tmp), [])

    def test_threads_never_interleave_lines(self):
        with support.trial() as (metrics, _):
            long_name = "m" * 5000  # a line longer than any buffer

            def work(t):
                for i in range(200):
                    assay.log(step=i, **{long_name: t, "thread": t})

            threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            got = support.lines(metrics)
        self.assertEqual(len(got), 1600)
        for line in got:
            self.assertEqual(line[long_name], line["thread"])

    def test_processes_never_interleave_lines(self):
        # Data-loader workers and DDP ranks are processes: each line is one
        # write to a file opened for appending.
        code = "import assay\nfor i in range(300): assay.log(step=i, rank=%d, **{'m' * 20000: %d})\n"
        with support.trial() as (metrics, _):
            procs = [
                subprocess.Popen([sys.executable, "-c", code % (r, r)], env=dict(os.environ, PYTHONPATH=support.PYTHON_DIR))
                for r in range(4)
            ]
            for p in procs:
                self.assertEqual(p.wait(timeout=300), 0)
            got = support.lines(metrics)
        self.assertEqual(len(got), 1200)
        self.assertEqual(sorted(set(line["rank"] for line in got)), [0, 1, 2, 3])
        for line in got:
            self.assertEqual(line["m" * 20000], line["rank"])


class TestArtifact(unittest.TestCase):
    def setUp(self):
        self.src = tempfile.mkdtemp(prefix="assay-src-")
        self.addCleanup(lambda: __import__("shutil").rmtree(self.src, ignore_errors=True))
        self.model = os.path.join(self.src, "model.pt")
        with open(self.model, "wb") as f:
            f.write(b"\x00weights\xff")

    def test_a_file_is_copied_under_its_name(self):
        with support.trial() as (_, arts):
            dest = assay.artifact(self.model)
            self.assertEqual(dest, os.path.join(arts, "model.pt"))
            with open(dest, "rb") as f:
                self.assertEqual(f.read(), b"\x00weights\xff")
        self.assertTrue(os.path.exists(self.model), "the original stays")

    def test_a_name_places_it_and_a_later_copy_replaces(self):
        with support.trial() as (_, arts):
            assay.artifact(self.model, name="ckpt/best.pt")
            with open(self.model, "wb") as f:
                f.write(b"better")
            assay.artifact(self.model, name="ckpt/best.pt")
            with open(os.path.join(arts, "ckpt", "best.pt"), "rb") as f:
                self.assertEqual(f.read(), b"better")

    def test_a_directory_is_copied_whole(self):
        d = os.path.join(self.src, "plots")
        os.makedirs(os.path.join(d, "sub"))
        for rel in ("a.png", os.path.join("sub", "b.png")):
            with open(os.path.join(d, rel), "w") as f:
                f.write(rel)
        with support.trial() as (_, arts):
            assay.artifact(d)
            with open(os.path.join(arts, "plots", "sub", "b.png")) as f:
                self.assertEqual(f.read(), os.path.join("sub", "b.png"))

    def test_a_file_already_in_the_artifacts_directory(self):
        with support.trial() as (_, arts):
            own = os.path.join(arts, "written.txt")
            with open(own, "w") as f:
                f.write("x")
            self.assertEqual(assay.artifact(own), own)

    def test_outside_assay_nothing_is_copied_but_the_path_is_checked(self):
        with support.outside():
            self.assertIsNone(assay.artifact(self.model))
            with self.assertRaisesRegex(FileNotFoundError, "assay.artifact: .*nope.pt does not exist"):
                assay.artifact(os.path.join(self.src, "nope.pt"))
        self.assertEqual(os.listdir(self.src), ["model.pt"])

    def test_names_stay_inside_the_artifacts_directory(self):
        with support.trial():
            for bad in ("../escape.pt", "/abs.pt", ".", "a/../../b"):
                with self.assertRaisesRegex(ValueError, "must be a relative path inside the artifacts directory"):
                    assay.artifact(self.model, name=bad)


class TestNoFramework(unittest.TestCase):
    def test_an_adapter_without_its_framework_says_what_to_install(self):
        # Run where the frameworks cannot be found: a fresh interpreter whose
        # path holds only this directory and the standard library.
        code = (
            "import sys\n"
            "sys.path[:] = [p for p in sys.path if 'site-packages' not in p and 'dist-packages' not in p]\n"
            "import assay\n"
            "for name in ('LightningLogger', 'HuggingFaceCallback', 'KerasCallback'):\n"
            "    try:\n"
            "        getattr(assay, name)\n"
            "    except ImportError as e:\n"
            "        print(name, '->', e)\n"
            "try:\n"
            "    assay.NoSuch\n"
            "except AttributeError as e:\n"
            "    print(e)\n"
        )
        out = support.run_python(code)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("LightningLogger -> assay.LightningLogger needs PyTorch Lightning", out.stdout)
        self.assertIn("HuggingFaceCallback -> assay.HuggingFaceCallback needs transformers", out.stdout)
        self.assertIn("KerasCallback -> assay.KerasCallback needs Keras", out.stdout)
        self.assertIn("module 'assay' has no attribute 'NoSuch'", out.stdout)


class TestStandardLibraryOnly(unittest.TestCase):
    def test_import_assay_imports_only_the_standard_library(self):
        code = (
            "import sys, json\n"
            "before = set(sys.modules)\n"
            "import assay\n"
            "from assay import *\n"
            "dir(assay)\n"
            "print(json.dumps(sorted(set(sys.modules) - before)))\n"
        )
        out = support.run_python(code)
        self.assertEqual(out.returncode, 0, out.stderr)
        new = json.loads(out.stdout)
        self.assertIn("assay", new)
        for heavy in ("torch", "lightning", "pytorch_lightning", "transformers", "keras", "tensorflow", "numpy"):
            self.assertNotIn(heavy, new)
        stdlib = getattr(sys, "stdlib_module_names", None)
        if stdlib is None:
            self.skipTest("Python %d.%d has no sys.stdlib_module_names (3.10+) to check the rest against" % sys.version_info[:2])
        foreign = [m for m in new if m != "assay" and m.split(".")[0] not in stdlib]
        self.assertEqual(foreign, [])


if __name__ == "__main__":
    unittest.main()
