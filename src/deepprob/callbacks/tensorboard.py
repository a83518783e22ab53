"""``TensorBoard``: event files for ``tensorboard --logdir``, written without TensorFlow."""

from __future__ import annotations

import os
import warnings

import numpy as np

from deepprob.callbacks._monitor import check_number
from deepprob.callbacks.base import Callback


def _summary_writer():
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as err:  # torch's writer needs the tensorboard package
        raise ImportError(
            "dp.callbacks.TensorBoard writes event files with the `tensorboard` package: "
            "pip install tensorboard (TensorFlow is not needed)."
        ) from err
    return SummaryWriter


class TensorBoard(Callback):
    """Log training to TensorBoard event files, laid out as Keras does.

    ``log_dir/train`` and ``log_dir/validation`` hold one run each: ``epoch_loss`` and
    ``epoch_<metric>`` per epoch (the ``val_`` values go to ``validation`` under the same tags,
    so TensorBoard draws them on one chart), ``epoch_learning_rate`` when a callback logs it, and
    ``evaluation_<metric>_vs_iterations`` in ``validation`` (against optimizer steps). With
    ``histogram_freq=n`` the weights are logged as histograms every ``n`` epochs, tagged by
    their Keras path (``dense/kernel``, ``conv2d_1/bias``). With ``update_freq="batch"`` or an
    integer, ``batch_loss`` / ``batch_<metric>`` (running means) are written every that many
    batches. ``write_graph`` records the traced model graph (Graphs tab) when the model can be
    traced from its input shape, and its summary table as text. Files are written by
    ``torch.utils.tensorboard`` over the ``tensorboard`` package's event writer; TensorFlow is
    not needed. View them with ``tensorboard --logdir <log_dir>``.

    Args:
        log_dir: the folder of the runs (created if missing).
        histogram_freq: epochs between weight histograms; 0 for none.
        write_graph: write the model graph and summary.
        write_images: accepted for Keras compatibility (not supported: ignored with a warning).
        update_freq: ``"epoch"``, ``"batch"`` or a number of batches between batch-level logs.

    Example:
        >>> tb = dp.callbacks.TensorBoard(log_dir="logs/fit", histogram_freq=1)
        >>> model.fit(x, y, epochs=5, validation_split=0.2, callbacks=[tb])
    """

    def __init__(self, log_dir="logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False,
                 update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        owner = "TensorBoard"
        if not isinstance(log_dir, (str, os.PathLike)) or not os.fspath(log_dir):
            raise ValueError(
                f"Argument `log_dir` of {owner}: expected a folder path, received {log_dir!r}.")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = check_number(histogram_freq, "histogram_freq", owner, low=0,
                                           integer=True)
        if update_freq == "batch":
            update_freq = 1
        elif update_freq != "epoch":
            if isinstance(update_freq, bool) or not isinstance(update_freq, int) or \
                    update_freq < 1:
                raise ValueError(
                    f"Argument `update_freq` of {owner}: expected 'epoch', 'batch' or a positive "
                    f"number of batches, received {update_freq!r}.")
        self.update_freq = update_freq
        self.write_graph = bool(write_graph)
        self.write_steps_per_second = bool(write_steps_per_second)
        for name, value in (("write_images", write_images), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq)):
            if value:
                warnings.warn(f"TensorBoard: `{name}` is not supported by deepprob; ignored.",
                              stacklevel=2)
        self._writers: dict = {}
        self._train_step = 0
        self._epoch_start = None

    # -- writers ------------------------------------------------------------------------------
    def _writer(self, run: str):
        writer = self._writers.get(run)
        if writer is None:
            writer = _summary_writer()(log_dir=os.path.join(self.log_dir, run))
            self._writers[run] = writer
        return writer

    def _close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks --------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        _summary_writer()  # fail now, not after the first epoch
        self._close()
        self._train_step = 0
        os.makedirs(self.log_dir, exist_ok=True)
        self._writer("train")
        if self.write_graph:
            self._write_model()

    def on_epoch_begin(self, epoch, logs=None):
        import time

        self._epoch_start = time.monotonic()
        self._epoch_steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self._train_step += 1
        self._epoch_steps = batch + 1
        if self.update_freq == "epoch" or self._train_step % self.update_freq:
            return
        writer = self._writer("train")
        for key, value in (logs or {}).items():
            scalar = _scalar(value)
            if scalar is not None:
                writer.add_scalar(f"batch_{key}", scalar, self._train_step)

    def on_epoch_end(self, epoch, logs=None):
        import time

        logs = logs or {}
        train, val = self._writer("train"), None
        iterations = int(getattr(getattr(self.model, "optimizer", None), "iterations", 0) or 0)
        for key, value in logs.items():
            scalar = _scalar(value)
            if scalar is None:
                continue
            if key.startswith("val_"):
                val = val or self._writer("validation")
                name = key[4:]
                val.add_scalar(f"epoch_{name}", scalar, epoch)
                val.add_scalar(f"evaluation_{name}_vs_iterations", scalar, iterations)
            else:
                train.add_scalar(f"epoch_{key}", scalar, epoch)
        if self.write_steps_per_second and self._epoch_start is not None:
            elapsed = time.monotonic() - self._epoch_start
            steps = self._epoch_steps or self.params.get("steps") or 0
            if elapsed > 0 and steps:
                train.add_scalar("epoch_steps_per_second", steps / elapsed, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(train, epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        self._close()

    # -- content ------------------------------------------------------------------------------
    def weight_paths(self) -> list[tuple[str, object]]:
        """``(path, parameter)`` for each weight of the model, paths as Keras names them."""
        model = self.model
        pairs = model._weight_path_pairs() if hasattr(model, "_weight_path_pairs") else [
            (model, n, p) for n, p in model.named_parameters()]
        out, seen = [], {}
        for owner, name, p in pairs:
            owner_name = getattr(owner, "name", None) or type(owner).__name__.lower()
            path = f"{owner_name}/{name.replace('.', '/')}"
            if path in seen:  # same names in two nested models: keep tags distinct
                seen[path] += 1
                path = f"{path}_{seen[path]}"
            else:
                seen[path] = 0
            out.append((path, p))
        return out

    def _write_histograms(self, writer, epoch: int) -> None:
        for path, p in self.weight_paths():
            values = p.detach().float().cpu().numpy()
            if values.size and np.isfinite(values).all():
                writer.add_histogram(path, values, epoch)

    def _write_model(self) -> None:
        writer = self._writer("train")
        model = self.model
        lines: list[str] = []
        try:
            model.summary(print_fn=lines.append)
        except Exception:  # unbuilt model: nothing to show yet
            lines = []
        if lines:
            # Markdown code block so TensorBoard's text tab keeps the table's alignment.
            writer.add_text("model_summary", "\n".join("    " + line for line in lines), 0)
        example = _example_input(model)
        if example is None:
            return
        was_training = model.training
        model.eval()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                writer.add_graph(_Traceable(model), example)
        except Exception as err:  # models the tracer cannot follow (distribution outputs ...)
            warnings.warn(f"TensorBoard: the model graph could not be traced ({err}); the "
                          "summary is written as text instead.", stacklevel=2)
        finally:
            model.train(was_training)


class _Traceable:
    """Wraps the model for ``add_graph`` so it is traced in inference mode, as a tensor map."""

    def __new__(cls, model):
        import torch

        class _Wrapped(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = model

            def forward(self, x):
                return model(x, training=False)

        return _Wrapped()


def _example_input(model):
    import torch

    shape = None
    try:
        shape = model.input_shape
    except Exception:
        return None
    if not isinstance(shape, tuple) or not shape or any(
            isinstance(s, (tuple, list)) for s in shape):
        return None  # several inputs, or unknown
    dims = [1 if d is None else d for d in shape]
    if any(not isinstance(d, int) for d in dims):
        return None
    try:
        param = next(model.parameters())
        device = param.device
    except StopIteration:
        device = None
    return torch.zeros(dims, device=device)


def _scalar(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value  # NaN and inf are logged as such: TensorBoard shows them
