"""``BackupAndRestore``: resume an interrupted ``fit`` exactly where it stopped."""

from __future__ import annotations

import os
import random
import tempfile

import numpy as np
import torch

from deepprob.callbacks._monitor import check_number
from deepprob.callbacks.base import Callback

BACKUP_FILE = "backup.pt"


def _rng_state() -> dict:
    np_state = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": {"name": np_state[0], "key": torch.from_numpy(np_state[1].astype(np.int64)),
                  "pos": int(np_state[2]), "has_gauss": int(np_state[3]),
                  "cached_gaussian": float(np_state[4])},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict) -> None:
    random.setstate(_as_tuples(state["python"]))
    n = state["numpy"]
    np.random.set_state((n["name"], n["key"].numpy().astype(np.uint32), n["pos"], n["has_gauss"],
                         n["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _as_tuples(x):
    return tuple(_as_tuples(v) for v in x) if isinstance(x, (list, tuple)) else x


def _load_model_state(model, state: dict, path: str) -> None:
    current = model.state_dict()
    saved, keys = state["model"], state["model_keys"]
    name = getattr(model, "name", type(model).__name__)
    if len(saved) != len(current):
        raise ValueError(
            f"BackupAndRestore: the backup {path!r} does not fit model {name!r}: it holds "
            f"{len(saved)} tensors, the model has {len(current)}; use another backup_dir for a "
            "different model.")
    for (key, value), saved_key, tensor in zip(current.items(), keys, saved):
        if tuple(value.shape) != tuple(tensor.shape):
            raise ValueError(
                f"BackupAndRestore: the backup {path!r} does not fit model {name!r}: "
                f"{saved_key!r} has shape {tuple(tensor.shape)} in the backup but the model's "
                f"{key!r} has shape {tuple(value.shape)}; use another backup_dir for a different "
                "model.")
    model.load_state_dict(dict(zip(current.keys(), saved)))


class BackupAndRestore(Callback):
    """Back up training after each epoch; a restarted ``fit`` resumes from the last backup.

    A fit killed mid-run (an exception, a pre-empted machine, Ctrl-C) and started again with the
    same callback resumes at the epoch after the last one finished, and ends with the same
    weights as an uninterrupted run given the same seed. The backup holds what that needs, more
    than Keras 2 or 3 keep: the model's weights and buffers (``state_dict``), the optimizer's
    state (moments, iteration count, learning rate), the last finished epoch, and the random
    states of Python, NumPy and torch (CPU and CUDA), so shuffling and dropout continue as if
    never interrupted. It is written atomically (a temporary file renamed over the previous
    backup), so a kill during the write leaves the previous backup intact, and it loads with
    ``torch.load(weights_only=True)`` (no code runs when reading it). When ``fit`` completes, the
    backup is deleted (``delete_checkpoint=True``).

    The model must be built before ``fit`` (``dp.Input``, ``input_shape=`` or ``build``), as in
    Keras 3, so that its weights exist when the backup is restored. Other callbacks' state
    (EarlyStopping's counters) is not part of the backup.

    Args:
        backup_dir: folder for the backup file (created if missing).
        save_freq: ``"epoch"``, or a number of batches between backups. Exact resumption is
            guaranteed with ``"epoch"``; with batches, a resumed fit restarts the unfinished
            epoch from its beginning with the backed-up weights (Keras 3's behaviour).
        delete_checkpoint: delete the backup when training ends normally.

    Example:
        >>> backup = dp.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
        >>> model.fit(x, y, epochs=10, callbacks=[backup])  # killed at epoch 4
        >>> model.fit(x, y, epochs=10, callbacks=[backup])  # resumes at epoch 5
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint: bool = True):
        super().__init__()
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise ValueError(
                "Argument `backup_dir` of BackupAndRestore: expected a folder path, received "
                f"{backup_dir!r}.")
        if save_freq != "epoch":
            save_freq = check_number(save_freq, "save_freq", "BackupAndRestore", low=1,
                                     integer=True)
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self._current_epoch = 0
        self._since_save = 0
        self.restored_epoch: int | None = None

    @property
    def backup_path(self) -> str:
        """The backup file."""
        return os.path.join(self.backup_dir, BACKUP_FILE)

    # -- hooks --------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self.restored_epoch = None
        self._since_save = 0
        if not os.path.isfile(self.backup_path):
            return
        model = self.model
        if not getattr(model, "built", True):
            raise ValueError(
                f"BackupAndRestore found a backup in {self.backup_dir!r} but model "
                f"{getattr(model, 'name', '')!r} is not built, so its weights cannot be restored: "
                "build it before fit (dp.Input, input_shape=, or model.build(shape)).")
        try:
            state = torch.load(self.backup_path, map_location="cpu", weights_only=True)
        except Exception as err:
            raise ValueError(
                f"BackupAndRestore: the backup {self.backup_path!r} cannot be read ({err}); "
                "delete it to start training from scratch.") from err
        _load_model_state(model, state, self.backup_path)
        if state.get("optimizer") is not None and getattr(model, "optimizer", None) is not None:
            model.optimizer.load_state_dict(state["optimizer"])
        _set_rng_state(state["rng"])
        self.restored_epoch = int(state["epoch"])
        self.model._resume_epoch = self.restored_epoch + 1

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._since_save += 1
        if self._since_save >= self.save_freq:
            self._since_save = 0
            self._backup(self._current_epoch - 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(epoch)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isfile(self.backup_path):
            os.remove(self.backup_path)

    # -- writing ------------------------------------------------------------------------------
    def _backup(self, epoch: int) -> None:
        """Write the backup for the end of ``epoch`` (0-based) atomically."""
        model = self.model
        opt = getattr(model, "optimizer", None)
        state = {
            "format": "deepprob.BackupAndRestore", "version": 1, "epoch": int(epoch),
            # By position, as get_weights: generated layer names (dense_3 ...) differ between
            # processes and model instances; the names are kept to explain mismatches.
            "model_keys": list(model.state_dict().keys()),
            "model": [v.detach().to("cpu", copy=True) for v in model.state_dict().values()],
            "optimizer": opt.state_dict() if opt is not None else None,
            "rng": _rng_state(),
        }
        os.makedirs(self.backup_dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".backup-", suffix=".tmp", dir=self.backup_dir)
        try:
            with os.fdopen(fd, "wb") as f:
                torch.save(state, f)  # serialises now: a copy of the optimizer's live state
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.backup_path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
