"""Shared by the callbacks that watch a logged quantity: mode resolution and argument checks."""

from __future__ import annotations

import math
import warnings

_MAX_WORDS = ("acc", "auc", "precision", "recall", "f1", "fbeta", "fmeasure", "iou", "r2",
              "true_positives", "true_negatives", "cosine_similarity")
_MIN_WORDS = ("loss", "error", "mae", "mse", "mape", "msle", "nll", "kl", "crossentropy",
              "hinge", "poisson", "false_positives", "false_negatives", "log_cosh", "huber")


def resolve_mode(mode: str, monitor: str, owner: str) -> str:
    """``"min"`` or ``"max"`` for ``mode`` (``"auto"`` infers it from the monitored name).

    Keras 3 raises when ``"auto"`` cannot tell; so does this, naming the fix. Names are matched
    after dropping the ``val_`` prefix: accuracies, AUC, precision, recall ... are maximised;
    losses and errors minimised.
    """
    if mode not in ("auto", "min", "max"):
        from deepprob._errors import unknown

        raise unknown(f"{owner} mode", mode, ["auto", "min", "max"], argument="mode")
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_").lower()
    if any(w in name for w in _MIN_WORDS):
        return "min"
    if any(w in name for w in _MAX_WORDS):
        return "max"
    raise ValueError(
        f"{owner}: cannot tell whether monitor={monitor!r} should be minimised or maximised; "
        "pass mode='min' or mode='max'."
    )


def check_monitor(monitor, owner: str) -> str:
    if not isinstance(monitor, str) or not monitor:
        raise ValueError(
            f"Argument `monitor` of {owner}: expected a logs key such as 'val_loss', received "
            f"{monitor!r}.")
    return monitor


def check_number(value, name: str, owner: str, low: float | None = None,
                 integer: bool = False, allow_none: bool = False):
    if value is None and allow_none:
        return None
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer:
        ok = float(value).is_integer()
    if ok and low is not None:
        ok = value >= low
    if not ok:
        kind = "an integer" if integer else "a number"
        bound = f" >= {low}" if low is not None else ""
        raise ValueError(
            f"Argument `{name}` of {owner}: expected {kind}{bound}, received {value!r}.")
    return int(value) if integer else float(value)


def monitor_value(logs, monitor: str, owner: str):
    """The monitored value in ``logs`` as a float, or None (with a warning naming the keys)."""
    logs = logs or {}
    value = logs.get(monitor)
    if value is None:
        warnings.warn(
            f"{owner} is conditioned on `{monitor}`, which is not in the logs; available keys: "
            f"{', '.join(sorted(logs)) or '(none)'}. Pass validation data for `val_` keys, or "
            "choose another `monitor`.", stacklevel=3)
        return None
    return float(value)
