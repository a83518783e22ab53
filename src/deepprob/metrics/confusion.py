"""Confusion-matrix metrics: Precision, Recall, the four counts, and AUC (Keras's semantics).

A prediction is positive at threshold ``t`` when ``y_pred > t``; a target is positive when it is
non-zero. Updates are a few tensor ops on the device: one ``(2, n) @ (n, T)`` product for
Precision / Recall, and one ``searchsorted`` + ``index_add_`` histogram for AUC.

Example:
    >>> m = dp.metrics.Precision()
    >>> m(torch.tensor([0, 1, 1, 1]), torch.tensor([1.0, 0.0, 1.0, 1.0]))
    tensor(0.6667)
"""

from __future__ import annotations

import torch

from deepprob._errors import unknown
from deepprob.losses._utils import align
from deepprob.metrics.base import Metric, divide_no_nan, weights_like

_NEG_INF = -1e10


def _filter_top_k(y_pred: torch.Tensor, k: int) -> torch.Tensor:
    """Keep each row's ``k`` largest scores (ties: the lower index, as TensorFlow's top_k); the
    rest become -1e10 (never positive)."""
    top = torch.sort(y_pred, dim=-1, descending=True, stable=True).indices[..., :k]
    keep = torch.zeros_like(y_pred, dtype=torch.bool).scatter_(-1, top, True)
    return torch.where(keep, y_pred, torch.full_like(y_pred, _NEG_INF))


class _Thresholded(Metric):
    """Counts true/false positives at each threshold: state ``counts`` = [tp; fp] (2, T) and
    ``totals`` = [positives, negatives]."""

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        default = 0.5 if top_k is None else _NEG_INF
        self.init_thresholds = thresholds
        self.single = thresholds is None or isinstance(thresholds, (int, float))
        values = [default] if thresholds is None else (
            [thresholds] if self.single else list(thresholds))
        for value in values:
            if value != _NEG_INF and not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"Argument `thresholds` of {type(self).__name__}: values must "
                                 f"lie in [0, 1], received {value!r}.")
        if top_k is not None and (isinstance(top_k, bool) or int(top_k) <= 0):
            raise ValueError(f"Argument `top_k` of {type(self).__name__}: expected a positive "
                             f"integer, received {top_k!r}.")
        self.thresholds = [float(v) for v in values]
        self.top_k, self.class_id = top_k, class_id
        self._thr: torch.Tensor | None = None

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = align(y_true, y_pred)
        if self.top_k is not None:
            y_pred = _filter_top_k(y_pred, int(self.top_k))
        if self.class_id is not None:
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
        if self._thr is None or self._thr.device != y_pred.device:
            self._thr = torch.tensor(self.thresholds, dtype=y_pred.dtype, device=y_pred.device)
        pos = (y_true != 0).to(self.dtype)
        sw = weights_like(pos, sample_weight)
        if sw is not None:
            pos_w, neg_w = pos * sw, (1 - pos) * sw
        else:
            pos_w, neg_w = pos, 1 - pos
        labels = torch.stack((pos_w.reshape(-1), neg_w.reshape(-1)))           # (2, n)
        predicted = (y_pred.reshape(-1, 1) > self._thr).to(self.dtype)         # (n, T)
        self.add_to_state("counts", labels @ predicted)                         # [tp; fp]
        self.add_to_state("totals", labels.sum(dim=1))                          # [pos; neg]

    def _counts(self):
        counts = self.state("counts", (2, len(self.thresholds)))
        totals = self.state("totals", (2,))
        tp, fp = counts[0], counts[1]
        return tp, fp, totals[0] - tp, totals[1] - fp                           # tp fp fn tn

    def _out(self, value: torch.Tensor) -> torch.Tensor:
        return value[0] if self.single else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_Thresholded):
    """``tp / (tp + fp)`` at each threshold (0 when nothing was predicted positive).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5; with ``top_k``, every
            top-k prediction counts as positive); a list gives one value per threshold.
        top_k: only each row's ``k`` highest predictions can be positive.
        class_id: score only this class (column of ``y_pred``).
        name: the metric's name ("precision").
        dtype: dtype of the state.

    Example:
        >>> Precision()(torch.tensor([0, 1, 1, 1]), torch.tensor([1.0, 0.0, 1.0, 1.0]))
        tensor(0.6667)
    """

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name or "precision", dtype=dtype)

    def result(self) -> torch.Tensor:
        tp, fp, _, _ = self._counts()
        return self._out(divide_no_nan(tp, tp + fp))


class Recall(_Thresholded):
    """``tp / (tp + fn)`` at each threshold (0 when there were no positives).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5; with ``top_k``, every
            top-k prediction counts as positive); a list gives one value per threshold.
        top_k: only each row's ``k`` highest predictions can be positive.
        class_id: score only this class (column of ``y_pred``).
        name: the metric's name ("recall").
        dtype: dtype of the state.

    Example:
        >>> Recall()(torch.tensor([0, 1, 1, 1]), torch.tensor([1.0, 0.0, 1.0, 1.0]))
        tensor(0.6667)
    """

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name or "recall", dtype=dtype)

    def result(self) -> torch.Tensor:
        tp, _, fn, _ = self._counts()
        return self._out(divide_no_nan(tp, tp + fn))


def _count_class(class_name: str, index: int, default_name: str):
    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        _Thresholded.__init__(self, thresholds, name=name or default_name, dtype=dtype)

    def result(self) -> torch.Tensor:
        return self._out(self._counts()[index])

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": Metric.get_config(self)["dtype"],
                "thresholds": self.init_thresholds}

    summary = default_name.replace("_", " ")
    docstring = (f"The (weighted) number of {summary} at each threshold (0.5 by default).\n\n"
                 "    Args:\n        thresholds: a float or list of floats in [0, 1].\n"
                 "        name: the metric's name.\n        dtype: dtype of the state.\n\n"
                 f"    Example:\n        >>> {class_name}()(torch.tensor([0, 1]), "
                 "torch.tensor([0.9, 0.8]))\n")
    cls = type(class_name, (_Thresholded,), {"__init__": __init__, "result": result,
                                             "get_config": get_config, "__doc__": docstring})
    cls.__module__ = __name__
    return cls


TruePositives = _count_class("TruePositives", 0, "true_positives")
FalsePositives = _count_class("FalsePositives", 1, "false_positives")
FalseNegatives = _count_class("FalseNegatives", 2, "false_negatives")
TrueNegatives = _count_class("TrueNegatives", 3, "true_negatives")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from confusion counts at fixed thresholds.

    Follows Keras: thresholds ``[-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1 + 1e-7]``; the ROC area is
    a Riemann sum over (false-positive rate, recall) with trapezoids
    (``summation_method="interpolation"``), ``"minoring"`` or ``"majoring"`` rectangles; the PR
    area with ``"interpolation"`` uses Davis & Goadrich's interpolation of precision, as Keras.
    Soft targets count fractionally (``y_true`` positives, ``1 - y_true`` negatives).

    Args:
        num_thresholds: number of thresholds (> 1), 200 by default.
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"``, ``"minoring"`` or ``"majoring"``.
        name: the metric's name ("auc").
        dtype: dtype of the state.
        thresholds: explicit thresholds in [0, 1] (``-1e-7`` and ``1 + 1e-7`` are added).
        multi_label: one curve per label (column), averaged (weighted by ``label_weights``);
            otherwise all labels are pooled.
        num_labels: accepted for Keras compatibility (labels are counted from the data).
        label_weights: per-label weights (pooled: multiply the sample weights; multi-label:
            weight the average).
        from_logits: apply a sigmoid to predictions first.

    Example:
        >>> m = AUC(num_thresholds=3)
        >>> m(torch.tensor([0, 0, 1, 1]), torch.tensor([0.0, 0.5, 0.3, 0.9]))
        tensor(0.7500)
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None, dtype=None,
                 thresholds=None, multi_label: bool = False, num_labels: int | None = None,
                 label_weights=None, from_logits: bool = False):
        super().__init__(name=name or "auc", dtype=dtype)
        curve = curve.upper() if isinstance(curve, str) else curve
        if curve not in ("ROC", "PR"):
            raise unknown("curve", curve, ["ROC", "PR"], argument="curve")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise unknown("summation method", summation_method,
                          ["interpolation", "minoring", "majoring"], argument="summation_method")
        eps = 1e-7
        if thresholds is not None:
            inner = sorted(float(v) for v in thresholds)
            if any(not 0.0 <= v <= 1.0 for v in inner):
                raise ValueError(f"Argument `thresholds` of AUC: values must lie in [0, 1], "
                                 f"received {list(thresholds)!r}.")
            self.init_thresholds = list(inner)
        else:
            if isinstance(num_thresholds, bool) or int(num_thresholds) <= 1:
                raise ValueError(f"Argument `num_thresholds` of AUC: expected an integer > 1, "
                                 f"received {num_thresholds!r}.")
            n = int(num_thresholds)
            inner = [(i + 1) / (n - 1) for i in range(n - 2)]
            self.init_thresholds = None
        self.thresholds = [0.0 - eps, *inner, 1.0 + eps]
        self.num_thresholds = len(self.thresholds)
        self.curve, self.summation_method = curve, summation_method
        self.multi_label, self.num_labels = bool(multi_label), num_labels
        self.label_weights = None if label_weights is None else [float(w) for w in label_weights]
        self.from_logits = bool(from_logits)
        self._thr: torch.Tensor | None = None

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = align(y_true, y_pred)
        if self.from_logits:
            y_pred = torch.sigmoid(y_pred)
        if self._thr is None or self._thr.device != y_pred.device:
            self._thr = torch.tensor(self.thresholds, dtype=y_pred.dtype, device=y_pred.device)
        y_true = y_true.to(self.dtype)
        w = weights_like(y_true, sample_weight)
        if self.label_weights is not None and not self.multi_label:
            lw = torch.tensor(self.label_weights, dtype=self.dtype, device=y_true.device)
            w = lw if w is None else w * lw
            w = torch.broadcast_to(w, y_true.shape)
        pos = y_true if w is None else y_true * w
        neg = (1 - y_true) if w is None else (1 - y_true) * w
        # bucket b = number of thresholds strictly below the prediction: positive at t < b
        bucket = torch.searchsorted(self._thr, y_pred.contiguous())
        bins = self.num_thresholds + 1
        if self.multi_label:
            labels = y_pred.shape[-1]
            bucket = bucket + torch.arange(labels, device=bucket.device) * bins
            size = labels * bins
        else:
            size = bins
        hist = self._state.get("hist")
        if hist is None or hist.shape[1] != size:
            hist = self._state["hist"] = torch.zeros((2, size), dtype=self.dtype,
                                                     device=y_pred.device)
        hist.index_add_(1, bucket.reshape(-1), torch.stack((pos.reshape(-1), neg.reshape(-1))))

    def confusion(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(tp, fp, fn, tn) at each threshold, shape ``(T,)`` (``(labels, T)`` multi-label)."""
        hist = self._state.get("hist")
        if hist is None:
            zeros = torch.zeros(self.num_thresholds, dtype=self.dtype)
            return zeros, zeros, zeros, zeros
        hist = hist.reshape(2, -1, self.num_thresholds + 1)
        above = hist.flip(-1).cumsum(-1).flip(-1)       # above[..., b] = sum of buckets >= b
        tp, fp = above[0, :, 1:], above[1, :, 1:]
        fn, tn = above[0, :, :1] - tp, above[1, :, :1] - fp
        if not self.multi_label:
            tp, fp, fn, tn = tp[0], fp[0], fn[0], tn[0]
        return tp, fp, fn, tn

    def _interpolate_pr(self, tp, fp, fn) -> torch.Tensor:
        dtp = tp[..., :-1] - tp[..., 1:]
        p = tp + fp
        dp = p[..., :-1] - p[..., 1:]
        slope = divide_no_nan(dtp, dp.clamp_min(0))
        intercept = tp[..., 1:] - slope * p[..., 1:]
        both = (p[..., :-1] > 0) & (p[..., 1:] > 0)
        ratio = torch.where(both, divide_no_nan(p[..., :-1], p[..., 1:].clamp_min(0)),
                            torch.ones_like(p[..., 1:]))
        increment = divide_no_nan(slope * (dtp + intercept * torch.log(ratio)),
                                  (tp[..., 1:] + fn[..., 1:]).clamp_min(0))
        return increment.sum(-1)

    def result(self) -> torch.Tensor:
        tp, fp, fn, tn = self.confusion()
        if self.curve == "PR" and self.summation_method == "interpolation":
            area = self._interpolate_pr(tp, fp, fn)
        else:
            recall = divide_no_nan(tp, tp + fn)
            if self.curve == "ROC":
                x, y = divide_no_nan(fp, fp + tn), recall
            else:
                x, y = recall, divide_no_nan(tp, tp + fp)
            if self.summation_method == "interpolation":
                heights = (y[..., :-1] + y[..., 1:]) / 2
            elif self.summation_method == "minoring":
                heights = torch.minimum(y[..., :-1], y[..., 1:])
            else:
                heights = torch.maximum(y[..., :-1], y[..., 1:])
            area = ((x[..., :-1] - x[..., 1:]) * heights).sum(-1)
        if not self.multi_label:
            return area
        if self.label_weights is None:
            return area.mean()
        lw = torch.tensor(self.label_weights, dtype=area.dtype, device=area.device)
        return divide_no_nan((area * lw).sum(), lw.sum())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "thresholds": self.init_thresholds, "multi_label": self.multi_label,
                "num_labels": self.num_labels, "label_weights": self.label_weights,
                "from_logits": self.from_logits}


__all__ = ["AUC", "FalseNegatives", "FalsePositives", "Precision", "Recall", "TrueNegatives",
           "TruePositives"]
