#!/usr/bin/env python3
"""Writes the metric-reader fixtures under runner/metrics/testdata with the
real training libraries, so the readers are tested on the bytes those
libraries write rather than on our idea of them.

    python3 make_fixtures.py OUTDIR
    tar -C fixtures -xzf OUTDIR/fixtures.tar.gz

writes OUTDIR/fixtures.tar.gz, unpacked into testdata/fixtures (with the
lines of its output that list versions and files kept in
fixtures/make_fixtures.log), holding one folder per writer:

  torch_summarywriter/  torch.utils.tensorboard.SummaryWriter: simple_value,
                        the tensor form (float_val, double_val), add_scalars'
                        sub-directories, a NaN, a histogram and a text summary
  tensorboard_writer/   tensorboard.summary.Writer (simple_value with scalar
                        metadata), TensorBoard's scalar_pb tensor form, and a
                        TF2-style record (tensor_content, metadata only on the
                        first event) built with TensorBoard's protos
  lightning/            Lightning's TensorBoardLogger and CSVLogger on a tiny
                        model, beside what a recording logger received
  huggingface/          the Trainer on a tiny BERT built from a config (no
                        download): trainer_state.json (final and per
                        checkpoint) and its TensorBoard events, beside what a
                        recording callback received
  mlflow_filestore/     MLflow's local file store metric files; MLflow was not
                        installed where the fixtures were made, so these are
                        written by hand in the format of MLflow's FileStore
                        ("<timestamp_ms> <value> <step>" lines appended to
                        mlruns/<experiment>/<run>/metrics/<key>)
  keras_csvlogger/      the file Keras' CSVLogger writes, by hand likewise
  tb_view.json          every event file as TensorBoard's protobuf classes
                        decode it: tag, step, kind, value, plugin (the test
                        oracle for the Go reader)
  versions.json         the versions of every library used

Each writer runs in its own try block: one that fails is reported and the
others still run. Only small files go into the archive (no weights).
"""

import json
import math
import os
import platform
import shutil
import struct
import sys
import tarfile
import tempfile
import time
import traceback

KEEP = ("trainer_state.json", "metrics.csv", "expected.json", "hparams.yaml")


def versions():
    out = {"python": platform.python_version()}
    for name in ("torch", "lightning", "pytorch_lightning", "transformers",
                 "accelerate", "tensorboard", "numpy", "google.protobuf"):
        try:
            mod = __import__(name, fromlist=["__version__"])
            out[name] = getattr(mod, "__version__", "unknown")
        except Exception as e:  # noqa: BLE001
            out[name] = "absent (%s)" % type(e).__name__
    return out


def num(v):
    """A float for JSON: non-finite values as strings, which JSON lacks."""
    v = float(v)
    if math.isfinite(v):
        return v
    return repr(v)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


def torch_summarywriter(root):
    import torch
    from torch.utils.tensorboard import SummaryWriter

    top = os.path.join(root, "torch_summarywriter")
    w = SummaryWriter(log_dir=os.path.join(top, "run"))
    logged = []
    for step in range(10):
        loss = 1.0 / (step + 1)
        w.add_scalar("loss", loss, step)
        logged.append({"dir": "run", "tag": "loss", "step": step, "value": loss, "form": "simple_value"})
        acc = 0.5 + step / 40
        w.add_scalar("val/acc", acc, step, new_style=True)
        logged.append({"dir": "run", "tag": "val/acc", "step": step, "value": acc, "form": "tensor float_val"})
        lr = 0.1 * 0.9 ** step
        w.add_scalar("lr", lr, step, new_style=True, double_precision=True)
        logged.append({"dir": "run", "tag": "lr", "step": step, "value": lr, "form": "tensor double_val"})
    w.add_scalar("bad", float("nan"), 3)
    logged.append({"dir": "run", "tag": "bad", "step": 3, "value": "nan", "form": "simple_value"})
    w.add_scalars("cmp", {"train": 1.5, "val": 2.5}, 7)
    logged.append({"dir": "run/cmp_train", "tag": "cmp", "step": 7, "value": 1.5, "form": "add_scalars"})
    logged.append({"dir": "run/cmp_val", "tag": "cmp", "step": 7, "value": 2.5, "form": "add_scalars"})
    w.add_histogram("weights", torch.arange(10.0), 1)
    w.add_text("note", "not a number", 1)
    w.close()
    write_json(os.path.join(top, "expected.json"), logged)


def tensorboard_writer(root):
    from tensorboard.summary import Writer
    from tensorboard.compat.proto import event_pb2, summary_pb2, types_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    top = os.path.join(root, "tensorboard_writer")
    logged = []
    w = Writer(os.path.join(top, "simple"))
    for step in range(5):
        v = 2.0 - step * 0.25
        w.add_scalar("tb/loss", v, step)
        logged.append({"dir": "simple", "tag": "tb/loss", "step": step, "value": v, "form": "simple_value+metadata"})
    w.close()

    ew = EventFileWriter(os.path.join(top, "tensor"))
    scalar_pb = None
    try:
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb
    except ImportError:
        from tensorboard.plugins.scalar.summary import scalar_pb  # older layout
    for step in range(5):
        v = 0.6 + step * 0.05
        ew.add_event(event_pb2.Event(wall_time=time.time(), step=step, summary=scalar_pb("tb/acc", v)))
        logged.append({"dir": "tensor", "tag": "tb/acc", "step": step, "value": v, "form": "scalar_pb tensor"})
    # TF2's writer keeps a scalar as tensor_content (raw little-endian
    # bytes) and sends the plugin metadata with the first event only.
    for step in range(3):
        v = 3.0 - step
        val = summary_pb2.Summary.Value(tag="tf2/loss")
        val.tensor.dtype = types_pb2.DT_FLOAT
        val.tensor.tensor_content = struct.pack("<f", v)
        if step == 0:
            val.metadata.plugin_data.plugin_name = "scalars"
        ew.add_event(event_pb2.Event(wall_time=time.time(), step=10 + step, summary=summary_pb2.Summary(value=[val])))
        logged.append({"dir": "tensor", "tag": "tf2/loss", "step": 10 + step, "value": v, "form": "tensor_content, TF2 style"})
    ew.close()
    write_json(os.path.join(top, "expected.json"), logged)


def lightning(root):
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    try:
        import lightning.pytorch as L
        from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
        from lightning.pytorch.loggers.logger import Logger
    except ImportError:
        import pytorch_lightning as L
        from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger
        from pytorch_lightning.loggers.logger import Logger

    class Recorder(Logger):
        """Keeps what Lightning hands its loggers: the test's truth."""

        def __init__(self):
            super().__init__()
            self.rows = []

        @property
        def name(self):
            return "recorder"

        @property
        def version(self):
            return 0

        def log_hyperparams(self, params, *args, **kwargs):
            pass

        def log_metrics(self, metrics, step=None):
            self.rows.append({"step": step, "metrics": {k: num(v) for k, v in metrics.items()}})

    class Model(L.LightningModule):
        def __init__(self, lr=0.5):
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
            logits = self.net(x)
            self.log("val_loss", nn.functional.cross_entropy(logits, y))
            self.log("val/acc", (logits.argmax(1) == y).float().mean())

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

    torch.manual_seed(0)
    x = torch.randn(48, 4)
    y = (x.sum(1) > 0).long()
    train = DataLoader(TensorDataset(x[:32], y[:32]), batch_size=8)
    val = DataLoader(TensorDataset(x[32:], y[32:]), batch_size=8)
    top = os.path.join(root, "lightning")
    rec = Recorder()
    trainer = L.Trainer(
        default_root_dir=top, max_epochs=3, limit_train_batches=4, limit_val_batches=2,
        log_every_n_steps=1, num_sanity_val_steps=0, accelerator="cpu", devices=1,
        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
        logger=[TensorBoardLogger(top, name="lightning_logs"),
                CSVLogger(top, name="csv_logs", flush_logs_every_n_steps=1), rec],
    )
    trainer.fit(Model(), train, val)
    write_json(os.path.join(top, "expected.json"), rec.rows)


def huggingface(root):
    import dataclasses
    import torch
    from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                              TrainerCallback, TrainingArguments)

    class Recorder(TrainerCallback):
        """Keeps what the Trainer hands its callbacks' on_log."""

        def __init__(self):
            self.rows = []

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = {k: num(v) for k, v in (logs or {}).items()
                    if isinstance(v, (int, float)) and not isinstance(v, bool)}
            self.rows.append({"step": state.global_step, "logs": logs})

    class Data(torch.utils.data.Dataset):
        def __init__(self, n, seed):
            g = torch.Generator().manual_seed(seed)
            self.x = torch.randint(1, 32, (n, 8), generator=g)
            self.y = (self.x[:, 0] > 16).long()

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return {"input_ids": self.x[i], "attention_mask": torch.ones(8, dtype=torch.long), "labels": self.y[i]}

    top = os.path.join(root, "huggingface")
    os.makedirs(top, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(top)  # whatever the Trainer writes relative to the cwd lands here
    try:
        torch.manual_seed(0)
        cfg = BertConfig(vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=16, num_labels=2)
        model = BertForSequenceClassification(cfg)
        fields = {f.name for f in dataclasses.fields(TrainingArguments)}
        kw = dict(output_dir="out", max_steps=12, per_device_train_batch_size=4,
                  per_device_eval_batch_size=8, learning_rate=1e-3, logging_steps=2,
                  save_strategy="steps", save_steps=4, eval_steps=4, report_to=["tensorboard"],
                  seed=0, disable_tqdm=True)
        kw["eval_strategy" if "eval_strategy" in fields else "evaluation_strategy"] = "steps"
        if "use_cpu" in fields:
            kw["use_cpu"] = True
        rec = Recorder()
        trainer = Trainer(model=model, args=TrainingArguments(**kw), train_dataset=Data(48, 1),
                          eval_dataset=Data(16, 2), callbacks=[rec])
        trainer.train()
        trainer.save_state()
    finally:
        os.chdir(cwd)
    write_json(os.path.join(top, "expected.json"), rec.rows)


def mlflow_filestore(root):
    """MLflow's FileStore layout, written by hand (see the module doc)."""
    top = os.path.join(root, "mlflow_filestore", "mlruns", "0", "5f2b9c0e4d1a4c7e9b3f6a2d8c1e0f47", "metrics")
    rows = {
        "loss": [(1700000000000 + i, 1.0 / (i + 1), i) for i in range(5)],
        "val/acc": [(1700000000100 + i, 0.5 + i / 10, 2 * i) for i in range(3)],
        "lr": [(1700000000200, 0.1, 0), (1700000000201, float("nan"), 1)],
    }
    expected = []
    for key, pts in rows.items():
        path = os.path.join(top, *key.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as f:
            for ts, v, step in pts:
                f.write("%s %s %s\n" % (ts, v, step))
                expected.append({"key": key, "step": step, "value": num(v)})
    # Files written before MLflow logged steps have two fields.
    with open(os.path.join(top, "old_style"), "a") as f:
        f.write("1600000000000 0.25\n")
    expected.append({"key": "old_style", "step": 0, "value": 0.25})
    write_json(os.path.join(root, "mlflow_filestore", "expected.json"), expected)


def keras_csvlogger(root):
    """The CSV Keras' CSVLogger writes (epoch first, 0-based), by hand."""
    top = os.path.join(root, "keras_csvlogger")
    os.makedirs(top, exist_ok=True)
    rows = [(e, 0.5 + e / 10, 1.0 / (e + 1), 0.45 + e / 10, 1.1 / (e + 1)) for e in range(3)]
    with open(os.path.join(top, "training.log"), "w", newline="") as f:
        f.write("epoch,accuracy,loss,val_accuracy,val_loss\r\n")
        for r in rows:
            f.write(",".join(repr(v) if isinstance(v, float) else str(v) for v in r) + "\r\n")


def records(path):
    """The TFRecord framing, read without checks: the protobuf library,
    not this, is the oracle here."""
    with open(path, "rb") as f:
        data = f.read()
    off = 0
    while off + 12 <= len(data):
        (n,) = struct.unpack_from("<Q", data, off)
        start = off + 12
        if start + n + 4 > len(data):
            break
        yield data[start:start + n]
        off = start + n + 4


def tb_view(root):
    """Every event file as TensorBoard's own protos decode it."""
    from tensorboard.compat.proto import event_pb2
    from tensorboard.util import tensor_util

    view = {}
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            if "tfevents" not in name:
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            out = []
            for rec in records(path):
                ev = event_pb2.Event.FromString(rec)
                kind = ev.WhichOneof("what")
                if kind != "summary":
                    out.append({"step": ev.step, "what": kind})
                    continue
                for v in ev.summary.value:
                    item = {"step": ev.step, "what": "summary", "tag": v.tag,
                            "kind": v.WhichOneof("value"),
                            "plugin": v.metadata.plugin_data.plugin_name,
                            "data_class": int(v.metadata.data_class)}
                    if item["kind"] == "simple_value":
                        item["value"] = num(v.simple_value)
                    elif item["kind"] == "tensor":
                        arr = tensor_util.make_ndarray(v.tensor)
                        item["dtype"] = int(v.tensor.dtype)
                        item["shape"] = list(arr.shape)
                        item["encoding"] = "tensor_content" if v.tensor.tensor_content else "typed_val"
                        if arr.size == 1 and arr.dtype.kind in "biuf":
                            item["value"] = num(arr.reshape(()).item())
                    out.append(item)
            view[rel] = out
    write_json(os.path.join(root, "tb_view.json"), view)


def main():
    outdir = sys.argv[1]
    root = tempfile.mkdtemp(prefix="fixtures-")
    v = versions()
    print("versions:", json.dumps(v, sort_keys=True), flush=True)
    write_json(os.path.join(root, "versions.json"), v)
    failed = []
    for fn in (torch_summarywriter, tensorboard_writer, lightning, huggingface,
               mlflow_filestore, keras_csvlogger, tb_view):
        t0 = time.time()
        try:
            fn(root)
            print("ok   %-20s %.1fs" % (fn.__name__, time.time() - t0), flush=True)
        except Exception:  # noqa: BLE001
            failed.append(fn.__name__)
            print("FAIL %s" % fn.__name__, flush=True)
            traceback.print_exc()
    kept = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            if "tfevents" in name or name in KEEP or rel in ("versions.json", "tb_view.json") \
                    or rel.startswith(("mlflow_filestore", "keras_csvlogger")):
                kept.append(rel)
    kept.sort()
    with tarfile.open(os.path.join(outdir, "fixtures.tar.gz"), "w:gz") as tar:
        for rel in kept:
            tar.add(os.path.join(root, rel), arcname=rel)
    for rel in kept:
        print("  %8d %s" % (os.path.getsize(os.path.join(root, rel)), rel))
    shutil.rmtree(root, ignore_errors=True)
    print("failed:", failed or "none")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
