"""The adapters inside the real frameworks' training loops, where installed.

Each test trains a tiny model on data it makes (nothing is downloaded) and
checks the lines the adapter wrote. Where a framework is missing the test
skips and names it.
"""

import importlib.util
import json
import os
import unittest

import assay

from tests import support


def missing(*alternatives):
    """None when one of the modules can be found, else what to say."""
    for name in alternatives:
        try:
            if importlib.util.find_spec(name) is not None:
                return None
        except (ImportError, ValueError):
            continue
    return "not installed: " + " or ".join(alternatives)


LIGHTNING_MISSING = missing("lightning", "pytorch_lightning") or missing("torch")


@unittest.skipIf(LIGHTNING_MISSING, "PyTorch Lightning: %s" % LIGHTNING_MISSING)
class TestRealLightning(unittest.TestCase):
    def test_fit_reports_through_the_logger(self):
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        try:
            import lightning.pytorch as L
        except ImportError:
            import pytorch_lightning as L

        class Tiny(L.LightningModule):
            def __init__(self, lr):
                super().__init__()
                self.save_hyperparameters()
                self.net = nn.Linear(4, 2)

            def training_step(self, batch, batch_idx):
                x, y = batch
                loss = nn.functional.cross_entropy(self.net(x), y)
                self.log("train_loss", loss)
                return loss

            def validation_step(self, batch, batch_idx):
                x, y = batch
                self.log("val/acc", (self.net(x).argmax(1) == y).float().mean())

            def configure_optimizers(self):
                return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

        torch.manual_seed(0)
        x = torch.randn(64, 4)
        y = (x[:, 0] > 0).long()
        data = DataLoader(TensorDataset(x, y), batch_size=8)
        with support.trial() as (metrics, arts):
            logger = assay.LightningLogger()
            self.assertIsInstance(logger, L.loggers.Logger)
            trainer = L.Trainer(
                default_root_dir=os.path.dirname(metrics), logger=logger, max_epochs=2, accelerator="cpu",
                log_every_n_steps=2, enable_progress_bar=False, enable_model_summary=False, enable_checkpointing=False,
            )
            trainer.fit(Tiny(lr=0.1), data, data)
            got = support.lines(metrics)
            with open(os.path.join(arts, "hparams.json")) as f:
                hparams = json.load(f)
        train = [line for line in got if "train_loss" in line]
        val = [line for line in got if "val_acc" in line]
        self.assertGreaterEqual(len(train), 4, got)  # 16 steps, every 2nd logged
        self.assertEqual(len(val), 2, got)  # once per epoch, val/acc filed as val_acc
        self.assertEqual([line["step"] for line in val], sorted(line["step"] for line in val))
        self.assertTrue(all(0 <= line["val_acc"] <= 1 for line in val))
        self.assertIn("epoch", val[-1])
        self.assertEqual(hparams["lr"], 0.1)


HF_MISSING = missing("transformers") or missing("torch")


@unittest.skipIf(HF_MISSING, "Hugging Face transformers: %s" % HF_MISSING)
class TestRealTransformers(unittest.TestCase):
    def test_train_reports_through_the_callback(self):
        import torch
        from torch import nn
        from transformers import Trainer, TrainerCallback, TrainingArguments

        class Tiny(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 2)

            def forward(self, x, labels=None):
                logits = self.net(x)
                return {"loss": nn.functional.cross_entropy(logits, labels), "logits": logits}

        torch.manual_seed(0)
        xs = torch.randn(32, 4)
        data = [{"x": xs[i], "labels": int(xs[i, 0] > 0)} for i in range(32)]
        cb = assay.HuggingFaceCallback()
        self.assertIsInstance(cb, TrainerCallback)
        with support.trial() as (metrics, _):
            out = os.path.join(os.path.dirname(metrics), "out")
            kwargs = dict(
                output_dir=out, max_steps=6, logging_steps=2, per_device_train_batch_size=4, report_to="none",
                save_strategy="no", disable_tqdm=True, remove_unused_columns=False,
            )
            try:
                args = TrainingArguments(use_cpu=True, **kwargs)
            except TypeError:  # before transformers 4.34
                args = TrainingArguments(no_cuda=True, **kwargs)
            Trainer(model=Tiny(), args=args, train_dataset=data, eval_dataset=data[:8], callbacks=[cb]).train()
            got = support.lines(metrics)
        steps = [line["step"] for line in got if "loss" in line]
        self.assertEqual(steps, [2, 4, 6], got)
        self.assertIn("learning_rate", got[0])
        self.assertEqual(got[-1]["step"], 6)
        self.assertIn("train_loss", got[-1])


KERAS_MISSING = missing("keras", "tensorflow")


@unittest.skipIf(KERAS_MISSING, "Keras: %s" % KERAS_MISSING)
class TestRealKeras(unittest.TestCase):
    def test_fit_reports_through_the_callback(self):
        import numpy as np

        try:
            import keras
        except ImportError:
            from tensorflow import keras

        rng = np.random.default_rng(0)
        x = rng.normal(size=(64, 4)).astype("float32")
        y = (x[:, :1] > 0).astype("float32")
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
        cb = assay.KerasCallback(update_freq=4)
        self.assertIsInstance(cb, keras.callbacks.Callback)
        with support.trial() as (metrics, _):
            model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=0, callbacks=[cb])
            got = support.lines(metrics)
        epochs = [line for line in got if "val_loss" in line]
        self.assertEqual([line["step"] for line in epochs], [0, 1], got)
        self.assertIn("loss", epochs[0])
        self.assertIn("accuracy", epochs[0])
        batches = [line for line in got if "batch_loss" in line]
        self.assertEqual([line["step"] for line in batches], [4, 8, 12], got)  # 6 batches an epoch


if __name__ == "__main__":
    unittest.main()
