"""Report a trial's params, metrics and files to assay from Python.

    import assay

    p = assay.params(lr=0.1, epochs=10)     # the trial's params; these defaults elsewhere
    for epoch in range(p["epochs"]):
        ...
        assay.log(step=epoch, train_loss=loss, val_acc=acc)
    assay.artifact("out/model.pt")

Under `assay run`, these read and write what the run contract hands the
trial (ASSAY_PARAMS, ASSAY_METRICS_FILE, ASSAY_ARTIFACTS_DIR, ...).
Anywhere else (`python train.py` on a laptop) the same code runs unchanged:
params() returns the defaults, log() and artifact() do nothing.

Adapters for training frameworks, each importing its framework only when
it is first used (importing assay imports nothing outside the standard
library):

    L.Trainer(logger=assay.LightningLogger())                  # PyTorch Lightning
    Trainer(..., callbacks=[assay.HuggingFaceCallback()])      # Hugging Face transformers
    model.fit(..., callbacks=[assay.KerasCallback()])          # Keras

This file is the whole package: copying it next to a training script works
as well as `pip install "git+https://github.com/assaylab/assay#subdirectory=python"`.
"""

import json
import math
import numbers
import os
import shutil
import sys
import threading
import time

__version__ = "0.1.0"

__all__ = ["params", "log", "artifact", "seed", "run_id", "active", "metric_name"]


def active():
    """Whether this process runs as a trial of `assay run`."""
    return bool(os.environ.get("ASSAY_RUN_ID"))


def params(defaults=None, /, **more):
    """The trial's params: ASSAY_PARAMS (a JSON object) over the defaults.

    Defaults come as a dict, as keywords, or both; a param the trial sets
    wins over its default, and params with no default are kept too.
    Outside assay the result is the defaults alone.
    """
    out = dict(defaults or {})
    out.update(more)
    raw = os.environ.get("ASSAY_PARAMS")
    if raw:
        try:
            given = json.loads(raw)
        except ValueError as e:
            raise ValueError("ASSAY_PARAMS is not valid JSON (%s): %.80r" % (e, raw)) from None
        if not isinstance(given, dict):
            raise ValueError("ASSAY_PARAMS is not a JSON object: %.80r" % raw)
        out.update(given)
    return out


def seed(default=0):
    """The trial's seed (ASSAY_SEED), or default outside assay."""
    raw = os.environ.get("ASSAY_SEED")
    return int(raw) if raw else default


def run_id():
    """This attempt's run id (ASSAY_RUN_ID), or None outside assay."""
    return os.environ.get("ASSAY_RUN_ID") or None


def log(step=None, **metrics):
    """Append one line of metrics to the trial's metrics file.

    step is a whole number (without one, assay counts lines); every other
    keyword is a metric. Values may be ints, floats, numeric strings or
    anything with .item() (a one-element torch tensor, a numpy scalar).
    Names are filed as assay files the names it reads from TensorBoard:
    each run of characters other than ASCII letters, digits and
    underscores becomes one underscore (log(**{"val/acc": 0.9}) reports
    val_acc). The line is on disk when log returns. Outside assay it
    checks its arguments and writes nothing.
    """
    _record(step, metrics)


def artifact(path, name=None):
    """Copy a file or directory into the trial's artifacts, kept with its record.

    name is where it goes inside the artifacts directory (default: the
    file's own name); a later copy of the same name replaces the earlier.
    Returns the copy's path, or None outside assay (path must exist all
    the same, so a typo shows on a laptop too).
    """
    src = os.fspath(path)
    if not os.path.exists(src):
        raise FileNotFoundError("assay.artifact: %s does not exist" % src)
    rel = name if name is not None else os.path.basename(os.path.normpath(os.path.abspath(src)))
    rel = os.path.normpath(os.fspath(rel))
    if os.path.isabs(rel) or rel == os.curdir or rel.split(os.sep)[0] == os.pardir:
        raise ValueError("assay.artifact: name %r must be a relative path inside the artifacts directory" % name)
    root = os.environ.get("ASSAY_ARTIFACTS_DIR")
    if not root:
        return None
    dest = os.path.join(root, rel)
    os.makedirs(os.path.dirname(dest) or root, exist_ok=True)
    if os.path.isdir(src):
        shutil.copytree(src, dest, dirs_exist_ok=True)
    else:
        try:
            shutil.copyfile(src, dest)
        except shutil.SameFileError:
            pass  # written there already
    return dest


# --- writing metrics -------------------------------------------------------


def _number(v):
    """v as an int or float, or None when it is not a number."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        return float(v)
    item = getattr(v, "item", None)
    if callable(item):  # torch tensors, numpy and jax scalars
        try:
            v = item()
        except (TypeError, ValueError, RuntimeError):
            return None  # more than one element
        return _number(v) if isinstance(v, (numbers.Real, bool)) else None
    if isinstance(v, (str, bytes)):
        try:
            return float(v)
        except ValueError:
            return None
    try:
        return float(v)  # a scalar TensorFlow tensor, a Decimal
    except (TypeError, ValueError):
        return None


def _step(step):
    if step is None:
        return None
    if isinstance(step, bool):
        raise TypeError("assay.log: step=%r is not a whole number" % step)
    n = _number(step)
    if n is None or (isinstance(n, float) and not n.is_integer()):
        raise TypeError("assay.log: step=%.60r is not a whole number" % (step,))
    return int(n)


def metric_name(raw):
    """The name assay files a value under: each run of characters other than
    ASCII letters, digits and underscores becomes one underscore, and the
    ends are trimmed ("val/acc" -> val_acc, "lr-Adam" -> lr_Adam), as for
    the names in TensorBoard and CSV files. A name with nothing left stays
    as it is."""
    out, gap = [], False
    for c in raw:
        if c == "_" or not (c.isascii() and c.isalnum()):
            gap = True
            continue
        if gap and out:
            out.append("_")
        gap = False
        out.append(c)
    return "".join(out) or raw


_lock = threading.Lock()


def _record(step, values, skip_bad=False):
    """Write one metrics line of values (names as given, mapped here).

    With skip_bad, values that are not numbers are left out (the adapters
    hand on whatever a framework logged, which may hold strings)."""
    line = {}
    step = _step(step)
    if step is not None:
        line["step"] = step
    for raw, v in values.items():
        n = _number(v)
        if n is None:
            if skip_bad:
                continue
            raise TypeError("assay.log: %s=%.60r is not a number" % (raw, v))
        name = metric_name(str(raw))
        if name == "step":
            continue  # the line's step already; a second would be ambiguous
        line[name] = n
    path = os.environ.get("ASSAY_METRICS_FILE")
    if not path or len(line) == (0 if step is None else 1):
        return
    # NaN and infinities are written as Python's json writes them: assay
    # drops them with a warning in the record, which says where they were.
    data = (json.dumps(line, separators=(",", ":")) + "\n").encode()
    with _lock:
        # One write of the whole line to a file opened for appending: lines
        # from several threads or processes never interleave, and the line
        # is in the file, not in a buffer, when this returns.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)


def _write_json_artifact(name, obj):
    """Write obj as JSON to name in the artifacts directory (outside assay,
    nothing)."""
    root = os.environ.get("ASSAY_ARTIFACTS_DIR")
    if not root:
        return None
    os.makedirs(root, exist_ok=True)
    dest = os.path.join(root, name)
    tmp = dest + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True, default=repr)
        f.write("\n")
    os.replace(tmp, dest)
    return dest


def _plain(obj):
    """Hyperparameters as JSON-ready values (Namespaces and mappings become
    dicts, anything else unknown its repr)."""
    from argparse import Namespace
    from collections.abc import Mapping

    if isinstance(obj, Namespace):
        obj = vars(obj)
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else repr(obj)
    n = _number(obj)
    return n if n is not None else repr(obj)


# --- framework adapters ----------------------------------------------------
#
# Each adapter is a class made on first use from its framework's base
# class, so that importing assay never imports the framework. The
# functions that make them take the base classes as arguments: the tests
# hand them small stand-ins where the framework is not installed.


def _lightning_logger_class(Logger, rank_zero_only):
    class LightningLogger(Logger):
        """A PyTorch Lightning logger that reports to assay.

            trainer = L.Trainer(logger=assay.LightningLogger())

        Each log_metrics call is one line of the metrics file at Lightning's
        step, names mapped as metric_name says (val/acc -> val_acc).
        Hyperparameters Lightning reports (save_hyperparameters) are kept as
        the artifact hparams.json. Only the process of global rank 0 writes.
        Outside assay it does nothing.
        """

        def __init__(self, name=None, version=None):
            super().__init__()
            self._name = name
            self._version = version
            # Outside assay each run still gets a version of its own, so
            # checkpoints of two runs do not land in one directory.
            self._local_version = time.strftime("local-%Y%m%dT%H%M%S")
            self._hparams = {}

        @property
        def name(self):
            return self._name or os.environ.get("ASSAY_EXPERIMENT") or "assay"

        @property
        def version(self):
            return self._version or run_id() or self._local_version

        @property
        def experiment(self):
            """The assay module itself: logger.experiment.artifact(path)."""
            return sys.modules[__name__]

        @rank_zero_only
        def log_metrics(self, metrics, step=None):
            _record(step, metrics, skip_bad=True)

        @rank_zero_only
        def log_hyperparams(self, params, *args, **kwargs):
            self._hparams.update(_plain(params) or {})
            _write_json_artifact("hparams.json", self._hparams)

    LightningLogger.__module__ = __name__
    return LightningLogger


def _huggingface_callback_class(TrainerCallback):
    class HuggingFaceCallback(TrainerCallback):
        """A Hugging Face TrainerCallback that reports to assay.

            Trainer(model, args, ..., callbacks=[assay.HuggingFaceCallback()])

        Each time the Trainer logs (every logging_steps, each evaluation,
        the end of training), one line at its global step, with the names
        of its log_history (loss, learning_rate, grad_norm, epoch,
        eval_loss, ...), as trainer_state.json has them. Only the main
        process writes. Outside assay it does nothing.
        """

        def on_log(self, args, state, control, logs=None, **kwargs):
            if getattr(state, "is_world_process_zero", True) and logs:
                _record(state.global_step, logs, skip_bad=True)

    HuggingFaceCallback.__module__ = __name__
    return HuggingFaceCallback


def _keras_callback_class(Callback):
    class KerasCallback(Callback):
        """A Keras callback that reports to assay.

            model.fit(x, y, callbacks=[assay.KerasCallback()])

        At the end of each epoch, one line whose step is the epoch (from 0,
        as Keras' CSVLogger counts) with Keras' logs (loss, val_loss,
        accuracy, ...). With update_freq=N (as Keras' TensorBoard callback
        takes it), also every N training batches, at the count of batches
        so far, under batch_<name>. Outside assay it does nothing.
        """

        def __init__(self, update_freq="epoch"):
            super().__init__()
            if update_freq != "epoch" and not (
                isinstance(update_freq, int) and not isinstance(update_freq, bool) and update_freq > 0
            ):
                raise ValueError('KerasCallback: update_freq must be "epoch" or a positive number of batches, not %r' % (update_freq,))
            self._assay_every = update_freq
            self._assay_batches = 0

        def on_epoch_end(self, epoch, logs=None):
            if logs:
                _record(epoch, logs, skip_bad=True)

        def on_train_batch_end(self, batch, logs=None):
            if self._assay_every == "epoch":
                return
            self._assay_batches += 1
            if logs and self._assay_batches % self._assay_every == 0:
                _record(self._assay_batches, {"batch_" + str(k): v for k, v in logs.items()}, skip_bad=True)

    KerasCallback.__module__ = __name__
    return KerasCallback


_adapters = {}


def _framework(imported, importable):
    """The first module of imported that the script has imported already,
    else the first of importable that imports; None when none does."""
    for n in imported:
        if n in sys.modules:
            return sys.modules[n]
    import importlib

    for n in importable:
        try:
            return importlib.import_module(n)
        except ImportError:
            continue
    return None


def _lightning():
    # Lightning ships as lightning (lightning.pytorch) and as
    # pytorch_lightning; the logger must subclass the Logger of the
    # package whose Trainer uses it, so the one already imported wins.
    names = ("lightning.pytorch", "pytorch_lightning")
    pkg = _framework(names, names)
    if pkg is None:
        raise ImportError("assay.LightningLogger needs PyTorch Lightning, and neither lightning nor pytorch_lightning can be imported (pip install lightning)")
    key = ("lightning", pkg.__name__)
    if key not in _adapters:
        import importlib

        loggers = importlib.import_module(pkg.__name__ + ".loggers")
        rank_zero = importlib.import_module(pkg.__name__ + ".utilities.rank_zero")
        _adapters[key] = _lightning_logger_class(loggers.Logger, rank_zero.rank_zero_only)
    return _adapters[key]


def _huggingface():
    if "hf" not in _adapters:
        try:
            from transformers import TrainerCallback
        except ImportError as e:
            raise ImportError("assay.HuggingFaceCallback needs transformers, which cannot be imported (%s)" % e) from e
        _adapters["hf"] = _huggingface_callback_class(TrainerCallback)
    return _adapters["hf"]


def _keras():
    # keras is Keras 3 (and tf.keras from TensorFlow 2.16 on); tf_keras is
    # Keras 2 as TensorFlow keeps it for TF_USE_LEGACY_KERAS, used only when
    # the script imported it; older TensorFlow has only tensorflow.keras.
    pkg = _framework(("tf_keras", "keras", "tensorflow.keras"), ("keras", "tensorflow.keras", "tf_keras"))
    if pkg is None:
        raise ImportError("assay.KerasCallback needs Keras, and neither keras nor tensorflow.keras can be imported (pip install keras)")
    key = ("keras", pkg.__name__)
    if key not in _adapters:
        import importlib

        callbacks = importlib.import_module(pkg.__name__ + ".callbacks")
        _adapters[key] = _keras_callback_class(callbacks.Callback)
    return _adapters[key]


_lazy = {"LightningLogger": _lightning, "HuggingFaceCallback": _huggingface, "KerasCallback": _keras}


def __getattr__(name):
    # PEP 562: assay.LightningLogger and the others are made when first
    # asked for, importing their framework then and not before.
    make = _lazy.get(name)
    if make is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    return make()
