"""The framework adapters against stand-ins of their frameworks' base classes.

The stand-ins have the same abstract methods and hooks as Lightning's
Logger, transformers' TrainerCallback and Keras' Callback, and the tests
call them as those frameworks' training loops do, so the adapters' logic is
tested where no framework is installed; test_frameworks.py runs them
against the real ones where they are.
"""

import abc
import argparse
import functools
import json
import os
import shutil
import sys
import tempfile
import textwrap
import unittest

import assay

from tests import support


class Scalar:
    def __init__(self, v):
        self.v = v

    def item(self):
        return self.v


# --- Lightning -------------------------------------------------------------


class FakeLightningLogger(abc.ABC):
    """lightning.fabric.loggers.Logger's interface, with
    lightning.pytorch's save_dir and after_save_checkpoint."""

    @property
    @abc.abstractmethod
    def name(self): ...

    @property
    @abc.abstractmethod
    def version(self): ...

    @property
    def root_dir(self):
        return None

    @property
    def log_dir(self):
        return None

    @property
    def save_dir(self):
        return None

    @property
    def group_separator(self):
        return "/"

    @abc.abstractmethod
    def log_metrics(self, metrics, step=None): ...

    @abc.abstractmethod
    def log_hyperparams(self, params, *args, **kwargs): ...

    def log_graph(self, model, input_array=None):
        pass

    def save(self):
        pass

    def finalize(self, status):
        self.save()

    def after_save_checkpoint(self, checkpoint_callback):
        pass


def fake_rank_zero_only(fn):
    """As lightning_utilities' rank_zero_only: call fn on rank 0 only."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        if fake_rank_zero_only.rank == 0:
            return fn(*args, **kwargs)
        return None

    return wrapped


fake_rank_zero_only.rank = 0

LightningLogger = assay._lightning_logger_class(FakeLightningLogger, fake_rank_zero_only)


def fit_like_lightning(logger):
    """The calls Trainer.fit makes on its logger, in order, with the values
    Lightning hands it (hparams with a Namespace-like object, metrics with
    the epoch added, validation names with a slash)."""
    logger.log_hyperparams(argparse.Namespace(lr=0.05, layers=[64, 32], act=object()))
    logger.log_hyperparams({"batch_size": 64, "nested": {"a": 1}})
    for step in (5, 10):
        logger.log_metrics({"train_loss": 1.0 / step, "epoch": 0.0}, step=step - 1)
    logger.log_metrics({"val_loss": 0.3, "val/acc": 0.875, "epoch": 0.0}, step=11)
    logger.log_metrics({"lr-SGD": Scalar(0.05), "note": "not a number"}, step=11)
    logger.save()
    logger.finalize("success")


class TestLightningLogger(unittest.TestCase):
    def tearDown(self):
        fake_rank_zero_only.rank = 0

    def test_is_a_logger_lightning_accepts(self):
        logger = LightningLogger()
        self.assertIsInstance(logger, FakeLightningLogger)  # every abstract method is there
        self.assertEqual(LightningLogger.__module__, "assay")

    def test_fit_writes_lines_and_hparams(self):
        with support.trial() as (metrics, arts):
            logger = LightningLogger()
            fit_like_lightning(logger)
            got = support.lines(metrics)
            with open(os.path.join(arts, "hparams.json")) as f:
                hparams = json.load(f)
        self.assertEqual(
            got,
            [
                {"step": 4, "train_loss": 0.2, "epoch": 0.0},
                {"step": 9, "train_loss": 0.1, "epoch": 0.0},
                {"step": 11, "val_loss": 0.3, "val_acc": 0.875, "epoch": 0.0},
                {"step": 11, "lr_SGD": 0.05},
            ],
        )
        self.assertEqual(hparams["lr"], 0.05)
        self.assertEqual(hparams["layers"], [64, 32])
        self.assertEqual(hparams["batch_size"], 64)
        self.assertEqual(hparams["nested"], {"a": 1})
        self.assertIsInstance(hparams["act"], str)  # what JSON cannot hold, as its repr

    def test_only_rank_zero_writes(self):
        fake_rank_zero_only.rank = 1
        with support.trial() as (metrics, arts):
            fit_like_lightning(LightningLogger())
            self.assertEqual(support.lines(metrics), [])
            self.assertEqual(os.listdir(arts), [])

    def test_name_and_version_place_checkpoints_per_run(self):
        with support.trial():
            logger = LightningLogger()
            self.assertEqual((logger.name, logger.version), ("mnist", "20260301T120000.000Z-7k3m9q2xa4"))
            self.assertEqual((LightningLogger(name="n", version="v").name, LightningLogger(name="n", version="v").version), ("n", "v"))
        with support.outside():
            logger = LightningLogger()
            self.assertEqual(logger.name, "assay")
            self.assertRegex(logger.version, r"^local-\d{8}T\d{6}$")
            self.assertIsNone(logger.save_dir)

    def test_experiment_is_the_assay_module(self):
        with support.trial() as (metrics, arts):
            exp = LightningLogger().experiment
            self.assertIs(exp, assay)
            exp.log(step=1, x=2)
            self.assertEqual(support.lines(metrics), [{"step": 1, "x": 2}])

    def test_outside_assay_nothing_is_written(self):
        with tempfile.TemporaryDirectory() as tmp:
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                with support.outside():
                    fit_like_lightning(LightningLogger())
            finally:
                os.chdir(cwd)
            self.assertEqual(os.listdir(tmp), [])


# --- Hugging Face ----------------------------------------------------------


class FakeTrainerCallback:
    """transformers.TrainerCallback: every event a no-op."""

    def on_init_end(self, args, state, control, **kwargs): ...
    def on_train_begin(self, args, state, control, **kwargs): ...
    def on_train_end(self, args, state, control, **kwargs): ...
    def on_epoch_begin(self, args, state, control, **kwargs): ...
    def on_epoch_end(self, args, state, control, **kwargs): ...
    def on_step_begin(self, args, state, control, **kwargs): ...
    def on_step_end(self, args, state, control, **kwargs): ...
    def on_evaluate(self, args, state, control, **kwargs): ...
    def on_save(self, args, state, control, **kwargs): ...
    def on_log(self, args, state, control, **kwargs): ...
    def on_prediction_step(self, args, state, control, **kwargs): ...


class FakeTrainerState:
    def __init__(self, process_zero=True):
        self.global_step = 0
        self.epoch = 0.0
        self.is_world_process_zero = process_zero


HuggingFaceCallback = assay._huggingface_callback_class(FakeTrainerCallback)


def train_like_transformers(cb, process_zero=True):
    """What Trainer.train hands on_log: logging_steps=2 over 6 steps, an
    evaluation after step 4, and the summary at the end."""
    state = FakeTrainerState(process_zero)
    for step in range(1, 7):
        state.global_step = step
        state.epoch = step / 6
        if step % 2 == 0:
            cb.on_log(None, state, None, logs={"loss": 1.0 / step, "grad_norm": Scalar(0.5), "learning_rate": 5e-05 * (1 - step / 6), "epoch": state.epoch})
        if step == 4:
            cb.on_log(None, state, None, logs={"eval_loss": 0.75, "eval_runtime": 0.1, "epoch": state.epoch})
    cb.on_log(None, state, None, logs={"train_runtime": 1.5, "train_loss": 0.4, "total_flos": 12.0, "epoch": 1.0})
    cb.on_log(None, state, None, logs={})


class TestHuggingFaceCallback(unittest.TestCase):
    def test_is_a_trainer_callback(self):
        self.assertIsInstance(HuggingFaceCallback(), FakeTrainerCallback)

    def test_each_log_is_a_line_at_the_global_step_with_log_history_names(self):
        with support.trial() as (metrics, _):
            train_like_transformers(HuggingFaceCallback())
            got = support.lines(metrics)
        self.assertEqual([line["step"] for line in got], [2, 4, 4, 6, 6])
        self.assertEqual(got[0], {"step": 2, "loss": 0.5, "grad_norm": 0.5, "learning_rate": 5e-05 * (1 - 2 / 6), "epoch": 2 / 6})
        self.assertEqual(got[2], {"step": 4, "eval_loss": 0.75, "eval_runtime": 0.1, "epoch": 4 / 6})
        self.assertEqual(got[4], {"step": 6, "train_runtime": 1.5, "train_loss": 0.4, "total_flos": 12.0, "epoch": 1.0})

    def test_only_the_main_process_writes(self):
        with support.trial() as (metrics, _):
            train_like_transformers(HuggingFaceCallback(), process_zero=False)
            self.assertEqual(support.lines(metrics), [])


# --- Keras -----------------------------------------------------------------


class FakeKerasCallback:
    """keras.callbacks.Callback: model and params set by fit, hooks no-ops."""

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...


KerasCallback = assay._keras_callback_class(FakeKerasCallback)


def fit_like_keras(cb, epochs=2, batches=5):
    cb.set_params({"epochs": epochs, "steps": batches})
    cb.set_model(object())
    cb.on_train_begin()
    for epoch in range(epochs):
        cb.on_epoch_begin(epoch)
        for batch in range(batches):
            cb.on_train_batch_begin(batch)
            cb.on_train_batch_end(batch, {"loss": Scalar(1.0 / (epoch * batches + batch + 1)), "accuracy": 0.5})
        cb.on_epoch_end(epoch, {"loss": 0.5 / (epoch + 1), "accuracy": 0.6, "val_loss": 0.7, "val_accuracy": 0.55})
    cb.on_train_end()


class TestKerasCallback(unittest.TestCase):
    def test_is_a_keras_callback(self):
        self.assertIsInstance(KerasCallback(), FakeKerasCallback)

    def test_one_line_per_epoch_with_keras_names(self):
        with support.trial() as (metrics, _):
            fit_like_keras(KerasCallback())
            got = support.lines(metrics)
        self.assertEqual(
            got,
            [
                {"step": 0, "loss": 0.5, "accuracy": 0.6, "val_loss": 0.7, "val_accuracy": 0.55},
                {"step": 1, "loss": 0.25, "accuracy": 0.6, "val_loss": 0.7, "val_accuracy": 0.55},
            ],
        )

    def test_update_freq_adds_batch_lines_at_the_batch_count(self):
        with support.trial() as (metrics, _):
            fit_like_keras(KerasCallback(update_freq=2))
            got = support.lines(metrics)
        batch = [line for line in got if "batch_loss" in line]
        self.assertEqual([line["step"] for line in batch], [2, 4, 6, 8, 10])
        self.assertEqual(batch[2], {"step": 6, "batch_loss": 1.0 / 6, "batch_accuracy": 0.5})
        self.assertEqual(len(got), 7)

    def test_bad_update_freq(self):
        for bad in (0, -1, "batch", True, 1.5):
            with self.assertRaisesRegex(ValueError, "update_freq must be"):
                KerasCallback(update_freq=bad)


# --- choosing the framework ------------------------------------------------

# Stand-in packages on disk, laid out as the real ones are, each base class
# named after its package so a test can tell which one assay chose.
FAKE_PACKAGES = {
    "lightning/__init__.py": "",
    "lightning/pytorch/__init__.py": "",
    "lightning/pytorch/loggers/__init__.py": "from tests_fake_base import make_logger\nLogger = make_logger('lightning.pytorch')\n",
    "lightning/pytorch/utilities/__init__.py": "",
    "lightning/pytorch/utilities/rank_zero.py": "def rank_zero_only(fn):\n    return fn\n",
    "pytorch_lightning/__init__.py": "",
    "pytorch_lightning/loggers/__init__.py": "from tests_fake_base import make_logger\nLogger = make_logger('pytorch_lightning')\n",
    "pytorch_lightning/utilities/__init__.py": "",
    "pytorch_lightning/utilities/rank_zero.py": "def rank_zero_only(fn):\n    return fn\n",
    "transformers/__init__.py": "class TrainerCallback:\n    origin = 'transformers'\n",
    "keras/__init__.py": "",
    "keras/callbacks.py": "class Callback:\n    origin = 'keras'\n",
    "tf_keras/__init__.py": "",
    "tf_keras/callbacks.py": "class Callback:\n    origin = 'tf_keras'\n",
    "tests_fake_base.py": textwrap.dedent(
        """
        import abc
        def make_logger(origin):
            class Logger(abc.ABC):
                @property
                @abc.abstractmethod
                def name(self): ...
                @property
                @abc.abstractmethod
                def version(self): ...
                @abc.abstractmethod
                def log_metrics(self, metrics, step=None): ...
                @abc.abstractmethod
                def log_hyperparams(self, params, *args, **kwargs): ...
            Logger.origin = origin
            return Logger
        """
    ),
}


class TestChoosingTheFramework(unittest.TestCase):
    def setUp(self):
        self.fakes = tempfile.mkdtemp(prefix="assay-fakes-")
        self.addCleanup(shutil.rmtree, self.fakes, True)
        for rel, text in FAKE_PACKAGES.items():
            path = os.path.join(self.fakes, *rel.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)

    def run_with_fakes(self, code):
        out = support.run_python(textwrap.dedent(code), path=(support.PYTHON_DIR, self.fakes))
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout.split()

    def test_import_assay_imports_no_framework(self):
        got = self.run_with_fakes(
            """
            import sys, assay
            print(sorted(m for m in ('lightning', 'pytorch_lightning', 'transformers', 'keras', 'tf_keras') if m in sys.modules) == [])
            """
        )
        self.assertEqual(got, ["True"])

    def test_lightning_package_by_default(self):
        got = self.run_with_fakes(
            """
            import assay
            L = assay.LightningLogger
            print(L.origin, L is assay.LightningLogger, L().name)
            """
        )
        self.assertEqual(got, ["lightning.pytorch", "True", "assay"])

    def test_the_lightning_package_the_script_imported_wins(self):
        got = self.run_with_fakes(
            """
            import pytorch_lightning, assay
            print(assay.LightningLogger.origin)
            """
        )
        self.assertEqual(got, ["pytorch_lightning"])

    def test_pytorch_lightning_when_it_is_the_only_one(self):
        shutil.rmtree(os.path.join(self.fakes, "lightning"))
        got = self.run_with_fakes("import assay; print(assay.LightningLogger.origin)")
        self.assertEqual(got, ["pytorch_lightning"])

    def test_transformers_and_keras(self):
        got = self.run_with_fakes(
            """
            import assay
            print(assay.HuggingFaceCallback.origin, assay.KerasCallback.origin)
            """
        )
        self.assertEqual(got, ["transformers", "keras"])

    def test_tf_keras_when_the_script_uses_it(self):
        got = self.run_with_fakes("import tf_keras, assay; print(assay.KerasCallback.origin)")
        self.assertEqual(got, ["tf_keras"])


if __name__ == "__main__":
    unittest.main()
