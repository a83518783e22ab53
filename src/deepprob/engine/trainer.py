"""The training loop: ``compile``, ``fit``, ``evaluate``, ``predict`` and the ``*_on_batch`` calls.

Designed to cost almost nothing over a hand-written PyTorch loop: data moves to the device once,
batches are index selections, losses and metrics accumulate in device tensors that are read only
when logs are needed (epoch ends and progress-bar redraws), and batch-level callback hooks run only
when some callback overrides them.
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np
import torch

from deepprob import config
from deepprob.engine import data_adapter, symbolic


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss; the weights are those of the last finite step."""


class _Compiled:
    """Losses and metrics resolved against the model's outputs at the first batch."""

    def __init__(self, loss, metrics, loss_weights, weighted_metrics):
        self.loss_spec = loss
        self.metric_spec = metrics
        self.loss_weights = loss_weights
        self.weighted_metric_spec = weighted_metrics
        self.built = False

    def build(self, model, y, y_pred) -> None:
        from deepprob import losses as losses_mod
        from deepprob import metrics as metrics_mod

        outputs = _as_list(y_pred)
        n = len(outputs)
        names = model.output_names if len(model.output_names) == n else [
            f"output_{i + 1}" for i in range(n)]
        self.output_names = names
        self.output_is_dict = isinstance(y_pred, dict)
        self.losses = _per_output(self.loss_spec, names, "loss")
        self.losses = [losses_mod.get(spec) if spec is not None else None for spec in self.losses]
        if all(lf is None for lf in self.losses):
            self.losses = []
        weights = _per_output(self.loss_weights, names, "loss_weights")
        self.weights = [1.0 if w is None else float(w) for w in weights]
        ys = _as_list(y) if y is not None else [None] * n
        self.metrics: list[tuple[int, Any, bool]] = []
        for spec, weighted in ((self.metric_spec, False), (self.weighted_metric_spec, True)):
            if spec is None:
                continue
            per = _per_output_metrics(spec, names)
            for i, specs in enumerate(per):
                for m in specs:
                    loss_fn = self.losses[i] if i < len(self.losses) else None
                    yt = ys[i] if i < len(ys) else None
                    yp = symbolic.to_tensor(outputs[i]) if outputs[i] is not None else None
                    metric = metrics_mod.get(
                        m, loss=loss_fn,
                        y_true_shape=tuple(yt.shape) if isinstance(yt, torch.Tensor) else None,
                        y_pred_shape=tuple(yp.shape) if isinstance(yp, torch.Tensor) else None)
                    if n > 1:
                        metric.name = f"{names[i]}_{metric.name}"
                    self.metrics.append((i, metric, weighted))
        self.built = True

    def metric_names(self) -> list[str]:
        return [m.name for _, m, _ in self.metrics]


def _as_list(x) -> list:
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _per_output(spec, names: list[str], arg: str) -> list:
    n = len(names)
    if isinstance(spec, dict):
        unknown = set(spec) - set(names)
        if unknown:
            raise ValueError(
                f"Argument `{arg}`: keys {sorted(unknown)} are not output names {names}."
            )
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)):
        if len(spec) != n:
            raise ValueError(
                f"Argument `{arg}`: the model has {n} outputs, received a list of {len(spec)}."
            )
        return list(spec)
    return [spec] * n


def _per_output_metrics(spec, names: list[str]) -> list[list]:
    n = len(names)
    if isinstance(spec, dict):
        return [_listify(spec.get(name)) for name in names]
    spec = _listify(spec)
    if n > 1 and spec and all(isinstance(s, (list, tuple)) or s is None for s in spec):
        if len(spec) != n:
            raise ValueError(
                f"Argument `metrics`: the model has {n} outputs, received {len(spec)} lists."
            )
        return [_listify(s) for s in spec]
    return [list(spec) for _ in range(n)]


def _listify(x) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


class _Mean:
    """A running mean: a device tensor on accelerators (no sync per step), a Python float on
    the CPU (where reading a scalar costs nothing and tensor arithmetic would cost more)."""

    def __init__(self):
        self.total = None
        self.count = 0

    def add(self, value, n: int) -> None:
        v = value * n if isinstance(value, float) else value.detach() * n
        self.total = v if self.total is None else self.total + v
        self.count += n

    def result(self) -> float:
        return float(self.total) / self.count if self.count else float("nan")

    def reset(self) -> None:
        self.total, self.count = None, 0


class Trainer:
    """The Keras training API, mixed into ``dp.Model``."""

    def __init__(self):
        self.__dict__.update(
            optimizer=None, compiled=False, stop_training=False, history=None,
            _compiled_state=None, _jit=False, _jit_forward=None, _loss_mean=_Mean(),
            _term_means={}, _finite_check=True, _labels_checked=False, _resume_epoch=None,
            _opt_needs_build=True)

    # -- compile -------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile=False, auto_scale_loss=True, **kwargs) -> None:
        """Configure training.

        Args:
            optimizer: name (``"adam"``) or ``dp.optimizers`` instance.
            loss: name, ``dp.losses`` instance, callable ``loss(y_true, y_pred)`` (``y_pred`` may be
                a distribution), or a list / dict of them for several outputs.
            metrics: names (``"accuracy"``), instances or callables; per output as a list of lists
                or a dict.
            loss_weights: scalar weights of each output's loss (list or dict).
            weighted_metrics: metrics that use ``sample_weight``.
            jit_compile: compile the forward pass with ``torch.compile``.
            run_eagerly, steps_per_execution, auto_scale_loss: accepted for Keras compatibility.

        Example:
            >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
            ...               metrics=["accuracy"])
        """
        from deepprob import optimizers

        if kwargs:
            raise TypeError(f"compile: unexpected keyword argument(s) {sorted(kwargs)}.")
        from deepprob import losses as losses_mod

        self.optimizer = optimizers.get(optimizer)
        for spec in _as_list(loss):
            if spec is not None:
                losses_mod.get(spec)  # unknown names fail here, not at the first batch
        self._compiled_state = _Compiled(loss, metrics, loss_weights, weighted_metrics)
        self.loss = loss
        self.compiled = True
        self._jit = bool(jit_compile)
        self.__dict__["_jit_forward"] = None
        self._compile_config = {"optimizer": optimizer, "loss": loss, "metrics": metrics,
                                "loss_weights": loss_weights, "jit_compile": bool(jit_compile)}

    @property
    def metrics(self) -> list:
        state = self._compiled_state
        if state is None or not state.built:
            return []
        return [m for _, m, _ in state.metrics]

    @property
    def metrics_names(self) -> list[str]:
        state = self._compiled_state
        names = ["loss"]
        if state is not None and state.built:
            if len(state.output_names) > 1 and len(state.losses) > 1:
                names += [f"{n}_loss" for n in state.output_names]
            names += state.metric_names()
        return names

    # -- one step ------------------------------------------------------------------------------
    def _forward(self, x, training: bool):
        if self._jit:
            entry = self.__dict__.get("_jit_forward")
            if entry is None or entry[0] != id(self):  # (a deep copy gets its own)
                entry = self.__dict__["_jit_forward"] = (id(self), _compiled_forward(self))
            fwd = entry[1]
            out = fwd(x, training=training)
            self._adopt_compiled_call_losses()
            return out
        return self(x, training=training)

    def _compute_loss(self, y, y_pred, sample_weight):
        """Total loss and its terms: each output's compiled loss, then the added losses."""
        state = self._compiled_state
        terms: list[tuple[str, torch.Tensor]] = []
        total = None
        if state.losses:
            ys = _as_list(y) if y is not None else [None] * len(state.losses)
            preds = _as_list(y_pred)
            if len(ys) != len(preds):
                raise ValueError(
                    f"The model has {len(preds)} outputs but `y` holds {len(ys)} targets."
                )
            for i, loss_fn in enumerate(state.losses):
                if loss_fn is None:
                    continue
                try:
                    value = loss_fn(ys[i], preds[i], sample_weight=sample_weight)
                except TypeError as err:
                    # A wrapped fn returning a distribution fails inside the reduction: say so.
                    raw = _raw_loss_output(loss_fn, ys[i], preds[i])
                    if raw is not None and not isinstance(raw, torch.Tensor | float | int):
                        raise _loss_type_error(state.output_names[i], loss_fn, raw) from err
                    raise
                if not isinstance(value, torch.Tensor):
                    raise _loss_type_error(state.output_names[i], loss_fn, value)
                name = f"{state.output_names[i]}_loss" if len(state.losses) > 1 else "loss"
                terms.append((name, value))
                weighted = value if state.weights[i] == 1.0 else value * state.weights[i]
                total = weighted if total is None else total + weighted
        added = list(getattr(self, "_last_call_losses", None) or [])
        added += self._regularization_losses() if self._has_regularizers() else []
        if added:
            extra = torch.stack([a.reshape(()) if a.dim() else a for a in added]).sum() \
                if len(added) > 1 else added[0].reshape(())
            # Losses added in the forward pass (KL terms) are logged as "kl" beside the data
            # term ("nll"); weight penalties alone keep Keras's logs (loss only).
            in_call = bool(getattr(self, "_last_call_losses", None))
            terms.append(("kl" if in_call else "regularization", extra))
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError(
                "The model has no loss: pass `loss=` to compile() or add losses with add_loss()."
            )
        return total, terms

    def _has_regularizers(self) -> bool:
        cached = self.__dict__.get("_reg_cache")
        if cached is None:
            from deepprob.engine.layer import Layer

            cached = any(info["regularizer"] is not None for m in self.modules()
                         if isinstance(m, Layer) for info in m._weight_info.values())
            self.__dict__["_reg_cache"] = cached
        return cached

    def _update_metrics(self, y, y_pred, sample_weight) -> None:
        state = self._compiled_state
        if not state.metrics:
            return
        ys = _as_list(y) if y is not None else None
        preds = _as_list(y_pred)
        with torch.no_grad():
            for i, metric, weighted in state.metrics:
                yp = preds[i]
                if not isinstance(yp, torch.Tensor):
                    yp = symbolic.to_tensor(yp)
                metric.update_state(ys[i] if ys is not None else None, yp.detach(),
                                    sample_weight=sample_weight if weighted else None)

    def _constraints(self):
        cached = self.__dict__.get("_constraint_cache")
        if cached is None:
            from deepprob.engine.layer import Layer

            cached = [(m._parameters[n], info["constraint"], info["perm"]) for m in self.modules()
                      if isinstance(m, Layer) for n, info in m._weight_info.items()
                      if info["constraint"] is not None]
            self.__dict__["_constraint_cache"] = cached
        return cached

    def _train_step(self, x, y, sw, where: tuple[int, int] | None = None) -> torch.Tensor:
        y_pred = self._forward(x, True)
        state = self._compiled_state
        if not state.built:
            state.build(self, y, y_pred)
        loss, terms = self._compute_loss(y, y_pred, sw)
        if loss.device.type == "cpu":
            value = loss.item()  # free on the CPU: no device to wait for
            if not math.isfinite(value):
                self._raise_non_finite(terms, where)
        else:
            value = loss
            if self._finite_check and not bool(torch.isfinite(loss)):
                self._raise_non_finite(terms, where)
        optimizer = self.optimizer
        if self._opt_needs_build:
            # After the first forward pass, so lazily built layers' weights are included.
            optimizer.build(list(self.parameters()))
            self._opt_needs_build = False
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if self._constraints():
            with torch.no_grad():
                for p, constraint, perm in self._constraints():
                    # Constraints see the weight in Keras's layout (MaxNorm's axis).
                    view = p if perm is None else p.permute(*_inverse(perm))
                    view.copy_(constraint(view))
        n = _batch_size(x)
        self._loss_mean.add(value, n)
        if len(terms) > 1:
            on_cpu = isinstance(value, float)  # read as floats, as the total (no tensor ops)
            for name, term in terms:
                self._term_means.setdefault(name, _Mean()).add(
                    term.item() if on_cpu else term, n)
        self._update_metrics(y, y_pred, sw)
        return loss

    def _test_step(self, x, y, sw) -> None:
        y_pred = self._forward(x, False)
        state = self._compiled_state
        if not state.built:
            state.build(self, y, y_pred)
        n = _batch_size(x)
        if state.losses or getattr(self, "_last_call_losses", None):
            loss, terms = self._compute_loss(y, y_pred, sw)
            self._loss_mean.add(loss, n)
            if len(terms) > 1:
                for name, value in terms:
                    self._term_means.setdefault(name, _Mean()).add(value, n)
        self._update_metrics(y, y_pred, sw)

    def _raise_non_finite(self, terms, where) -> None:
        bad = [name for name, value in terms if not bool(torch.isfinite(value).all())]
        names = {"loss": "the compiled loss (NLL)", "kl":
                 "the KL (losses added by layers with add_loss: KL terms, regularizers)",
                 "regularization": "the weight regularization penalties"}
        what = ", ".join(names.get(b, f"the compiled loss of output {b[:-5]!r}") for b in bad) \
            or "the total loss"
        epoch, batch = where if where is not None else (None, None)
        at = f"at epoch {epoch + 1}, batch {batch + 1}" if where is not None else "in this batch"
        self.stop_training = True
        raise NonFiniteLossError(
            f"Non-finite loss {at}: {what} went NaN or infinite. Training stopped; the model keeps "
            "the weights of the last finite step. Check the learning rate, the data (NaN/inf), "
            "and log/division operations in custom losses."
        )

    # -- logs ------------------------------------------------------------------------------------
    def _reset_trackers(self) -> None:
        self._loss_mean.reset()
        self._term_means = {}
        state = self._compiled_state
        if state is not None and state.built:
            for _, metric, _ in state.metrics:
                metric.reset_state()

    def _logs(self, prefix: str = "") -> dict[str, float]:
        logs: dict[str, float] = {}
        if self._loss_mean.count:
            logs[prefix + "loss"] = self._loss_mean.result()
        for name, mean in self._term_means.items():
            if name == "regularization" or (name == "loss" and "kl" not in self._term_means):
                continue
            if name == "loss":  # the data term, logged apart from the added KL terms
                name = "nll"
            logs[prefix + name] = mean.result()
        state = self._compiled_state
        if state is not None and state.built:
            for _, metric, _ in state.metrics:
                logs[prefix + metric.name] = float(metric.result())
        return logs

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(
                f"You must call compile() on model {self.name!r} before {what}()."
            )

    # -- fit -------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose="auto", callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True,
            class_weight: dict | None = None, sample_weight=None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq=1, **kwargs):
        """Train the model; returns a ``History`` whose ``history`` dict has one list per log key.

        Args:
            x: inputs: arrays / tensors / lists / dicts, or a dataset / generator / iterable
                yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches.
            y: targets (only with array inputs).
            batch_size: samples per step (default 32; not with datasets).
            epochs: index of the last epoch (training runs ``initial_epoch`` .. ``epochs - 1``).
            verbose: ``"auto"``, 0 (silent), 1 (progress bar), 2 (one line per epoch).
            callbacks: ``dp.callbacks.Callback`` instances.
            validation_split: fraction in [0, 1) of the array data, taken from the end before
                shuffling, used for validation.
            validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sw)`` or a dataset.
            shuffle: reshuffle array data every epoch.
            class_weight: ``{class_index: weight}`` multiplying each sample's loss.
            sample_weight: per-sample weights (array inputs).
            initial_epoch: epoch to start from (to resume).
            steps_per_epoch: batches per epoch (datasets and generators).
            validation_steps: batches per validation (datasets and generators).
            validation_freq: validate every ``n`` epochs, or in the epochs listed.

        Example:
            >>> history = model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            >>> history.history["val_accuracy"]
        """
        from deepprob import callbacks as callbacks_mod

        if kwargs:
            raise TypeError(f"fit: unexpected keyword argument(s) {sorted(kwargs)}.")
        self._require_compiled("fit")
        _check_positive_int(epochs, "epochs", allow_zero=True)
        if steps_per_epoch is not None:
            _check_positive_int(steps_per_epoch, "steps_per_epoch")
        if not isinstance(validation_split, (int, float)) or not 0.0 <= validation_split < 1.0:
            raise ValueError(
                f"Argument `validation_split`: expected a float in [0, 1), received "
                f"{validation_split!r}."
            )
        device = config.get_device()
        self.to(device)
        data = data_adapter.make_data(x, y, sample_weight, batch_size, shuffle, steps_per_epoch,
                                      device)
        if isinstance(data, data_adapter.ArrayData):
            _check_targets(data.y, "y")
            if validation_split:
                data, val_data_auto = data.split(validation_split)
                if validation_data is None:
                    validation_data = val_data_auto
            if steps_per_epoch is not None:
                data = _LimitedArray(data, steps_per_epoch)
        elif validation_split:
            raise ValueError(
                "Argument `validation_split` is only supported for array inputs; pass "
                "`validation_data` with a dataset or generator."
            )
        val_data = None
        if validation_data is not None:
            val_data = self._validation_data(validation_data, validation_batch_size or batch_size,
                                             validation_steps, device)
        if class_weight is not None:
            class_weight = _class_weight_table(class_weight, device)
        self._labels_checked = isinstance(data, (data_adapter.ArrayData, _LimitedArray))
        self._finite_check = True

        history = callbacks_mod.History()
        verbose = _resolve_verbose(verbose)
        cbs = callbacks_mod.CallbackList(
            callbacks, add_history=history, add_progbar=verbose != 0, verbose=verbose,
            model=self,
            params={"epochs": epochs, "steps": len(data) if len(data) is not None else None,
                    "verbose": verbose})
        self.history = history
        self.stop_training = False
        self._compiled_state.built = False
        self._opt_needs_build = True
        self.__dict__["_resume_epoch"] = None
        cbs.on_train_begin()
        if self._resume_epoch is not None:  # set by BackupAndRestore
            initial_epoch = max(initial_epoch, int(self._resume_epoch))
        train_batch_hooks = cbs.has_batch_hooks("train")
        epoch_logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            self._reset_trackers()
            self.train()
            cbs.on_epoch_begin(epoch)
            step = -1
            for step, (bx, by, bsw) in enumerate(data.batches()):
                if train_batch_hooks:
                    cbs.on_train_batch_begin(step)
                if class_weight is not None:
                    bsw = _apply_class_weight(class_weight, by, bsw)
                if step == 0 and epoch == initial_epoch and self._labels_checked:
                    self._check_label_range(data, bx)
                self._train_step(bx, by, bsw, (epoch, step))
                if train_batch_hooks:
                    cbs.on_train_batch_end(step, self._logs)
                if self.stop_training:
                    break
            if step < 0:
                raise ValueError(
                    "The training data produced no batches: `x` is empty or the generator is "
                    "exhausted."
                )
            epoch_logs = self._logs()
            self.eval()
            if val_data is not None and _should_validate(epoch, validation_freq):
                val_logs = self._run_evaluation(val_data)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            lr = getattr(self.optimizer, "learning_rate", None)
            if isinstance(lr, (float, int)) and "learning_rate" not in epoch_logs and getattr(
                    self, "_log_learning_rate", False):
                epoch_logs["learning_rate"] = float(lr)
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        self.eval()
        cbs.on_train_end(epoch_logs)
        return history

    def _validation_data(self, validation_data, batch_size, steps, device):
        if isinstance(validation_data, (data_adapter.ArrayData,)):
            return validation_data
        if isinstance(validation_data, tuple) and len(validation_data) in (2, 3) and \
                data_adapter.is_array_like(validation_data[0]):
            vx, vy = validation_data[0], validation_data[1]
            vsw = validation_data[2] if len(validation_data) == 3 else None
            data = data_adapter.ArrayData(vx, vy, vsw, batch_size or 32, False, device)
            _check_targets(data.y, "validation_data")
            return data
        return data_adapter.make_data(validation_data, steps=steps, device=device,
                                      name="validation_data")

    def _check_label_range(self, data, bx) -> None:
        """Integer targets of a sparse cross-entropy must lie in [0, number of classes)."""
        if data.y is None:
            return
        state = self._compiled_state
        with torch.no_grad():
            pred = self(data_adapter.take(bx, slice(0, 1)), training=False)
        if not state.built:
            state.build(self, data_adapter.take(data.y, slice(0, 1)), pred)
        state_losses = state.losses
        ys, preds = _as_list(data.y), _as_list(pred)
        for i, loss_fn in enumerate(state_losses):
            if loss_fn is None or i >= len(ys) or i >= len(preds):
                continue
            name = getattr(loss_fn, "fn_name", None) or getattr(loss_fn, "name", "")
            yt, yp = ys[i], preds[i]
            if "sparse_categorical" not in str(name) or not isinstance(yp, torch.Tensor):
                continue
            k = yp.shape[-1]
            lo, hi = int(yt.min()), int(yt.max())
            if lo < 0 or hi >= k:
                raise ValueError(
                    f"Argument `y`: integer labels must lie in [0, {k - 1}] for the model's "
                    f"{k}-unit output (sparse categorical cross-entropy); received labels "
                    f"from {lo} to {hi}."
                )
            if hasattr(loss_fn, "check_labels"):
                loss_fn.check_labels = False

    # -- evaluate / predict ----------------------------------------------------------------------
    def _run_evaluation(self, data, cbs=None) -> dict[str, float]:
        self._reset_trackers()
        self.eval()
        with torch.no_grad():
            for step, (bx, by, bsw) in enumerate(data.batches()):
                if cbs is not None:
                    cbs.on_test_batch_begin(step)
                self._test_step(bx, by, bsw)
                if cbs is not None:
                    cbs.on_test_batch_end(step, self._logs)
        return self._logs()

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict: bool = False, **kwargs):
        """Loss and metrics on data: a float (loss only), a list, or a dict with ``return_dict``.

        Args:
            x, y, sample_weight: as in :meth:`fit`.
            batch_size: samples per batch (default 32).
            verbose: 0 silent, 1 progress bar.
            steps: batches to evaluate (datasets and generators).
            callbacks: callbacks whose ``on_test_*`` hooks run.
            return_dict: return ``{"loss": ..., "accuracy": ...}``.
        """
        from deepprob import callbacks as callbacks_mod

        if kwargs:
            raise TypeError(f"evaluate: unexpected keyword argument(s) {sorted(kwargs)}.")
        self._require_compiled("evaluate")
        device = config.get_device()
        self.to(device)
        data = data_adapter.make_data(x, y, sample_weight, batch_size, False, steps, device)
        if isinstance(data, data_adapter.ArrayData):
            _check_targets(data.y, "y")
        self._compiled_state.built = False
        verbose = _resolve_verbose(verbose)
        cbs = callbacks_mod.CallbackList(callbacks, add_progbar=verbose == 1, verbose=verbose,
                                         model=self, mode="test",
                                         params={"steps": len(data), "verbose": verbose})
        cbs.on_test_begin()
        logs = self._run_evaluation(data, cbs)
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        # As Keras: the loss and the metrics (the nll / kl split is in the dict and History).
        values = [logs[k] for k in logs if k not in ("nll", "kl")]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for ``x`` as NumPy (a list / dict of arrays for several outputs).

        Distribution outputs are converted with their ``convert_to_tensor_fn`` (a sample by
        default), as Keras does.

        Args:
            x: inputs, or a dataset / generator yielding ``x`` or ``(x, ...)`` batches.
            batch_size: samples per batch (default 32).
            verbose: 0 silent, 1 progress bar.
            steps: batches to predict (datasets and generators).
            callbacks: callbacks whose ``on_predict_*`` hooks run.
        """
        from deepprob import callbacks as callbacks_mod

        device = config.get_device()
        self.to(device)
        data = data_adapter.make_data(x, None, None, batch_size, False, steps, device)
        verbose = _resolve_verbose(verbose)
        cbs = callbacks_mod.CallbackList(callbacks, add_progbar=verbose == 1, verbose=verbose,
                                         model=self, mode="predict",
                                         params={"steps": len(data), "verbose": verbose})
        self.eval()
        chunks: list = []
        cbs.on_predict_begin()
        with torch.no_grad():
            for step, (bx, _, _) in enumerate(data.batches()):
                cbs.on_predict_batch_begin(step)
                out = self._forward(bx, False)
                out = symbolic.map_structure(symbolic.to_tensor, out)
                chunks.append(out)
                cbs.on_predict_batch_end(step, {})
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("Argument `x` produced no batches to predict.")
        return _concat(chunks)

    # -- single batches --------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict: bool = False):
        """One optimizer step on one batch; returns that batch's loss (and metrics)."""
        self._require_compiled("train_on_batch")
        device = config.get_device()
        self.to(device)
        bx, by, bsw = data_adapter.unpack((x, y, sample_weight), device)
        if class_weight is not None:
            bsw = _apply_class_weight(_class_weight_table(class_weight, device), by, bsw)
        self._opt_needs_build = True
        self._labels_checked = False
        self._reset_trackers()
        self.train()
        self._train_step(bx, by, bsw)
        self.eval()
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        """Loss (and metrics) of one batch, without training."""
        self._require_compiled("test_on_batch")
        device = config.get_device()
        self.to(device)
        bx, by, bsw = data_adapter.unpack((x, y, sample_weight), device)
        self._reset_trackers()
        self.eval()
        with torch.no_grad():
            self._test_step(bx, by, bsw)
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        """Outputs of one batch as NumPy."""
        device = config.get_device()
        self.to(device)
        bx, _, _ = data_adapter.unpack((x,), device)
        self.eval()
        with torch.no_grad():
            out = symbolic.map_structure(symbolic.to_tensor, self._forward(bx, False))
        return _concat([out])

    def _batch_result(self, return_dict: bool):
        logs = self._logs()
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values


def _inverse(perm):
    out = [0] * len(perm)
    for i, p in enumerate(perm):
        out[p] = i
    return out


class _LimitedArray:
    """Array data cut to ``steps_per_epoch`` batches per epoch, continuing where it stopped."""

    def __init__(self, data, steps: int):
        self.data, self.steps, self._it = data, steps, None
        self.y = data.y

    def __len__(self) -> int:
        return self.steps

    def batches(self):
        for _ in range(self.steps):
            if self._it is None:
                self._it = self.data.batches()
            try:
                yield next(self._it)
            except StopIteration:
                self._it = self.data.batches()
                yield next(self._it)


def _batch_size(x) -> int:
    if isinstance(x, torch.Tensor):
        return x.shape[0]
    for leaf in symbolic.flatten(x):
        if hasattr(leaf, "shape") and len(leaf.shape):
            return int(leaf.shape[0])
    return 1


def _check_targets(y, name: str) -> None:
    for leaf in symbolic.flatten(y) if y is not None else []:
        if isinstance(leaf, torch.Tensor) and leaf.is_floating_point():
            # The sum is finite when every entry is (one pass, no mask: ~30x cheaper than
            # isfinite on a large array); only a non-finite sum (or an overflow) needs the mask.
            if leaf.numel() and bool(torch.isfinite(leaf.sum())):
                continue
            bad = ~torch.isfinite(leaf)
            if bool(bad.any()):
                index = int(bad.reshape(leaf.shape[0], -1).any(dim=1).nonzero()[0, 0]) \
                    if leaf.dim() else 0
                raise ValueError(
                    f"Argument `{name}` contains NaN or infinite targets (first at sample "
                    f"{index}); remove or impute them before training."
                )


def _check_positive_int(value, name: str, allow_zero: bool = False) -> None:
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and (
        value >= 0 if allow_zero else value > 0)
    if not ok:
        raise ValueError(
            f"Argument `{name}`: expected a {'non-negative' if allow_zero else 'positive'} "
            f"integer, received {value!r}."
        )


def _resolve_verbose(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"Argument `verbose`: expected 'auto', 0, 1 or 2, received {verbose!r}.")
    return int(verbose)


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _class_weight_table(class_weight: dict, device) -> torch.Tensor:
    if not isinstance(class_weight, dict) or not class_weight:
        raise ValueError(
            f"Argument `class_weight`: expected a non-empty dict {{class: weight}}, received "
            f"{class_weight!r}."
        )
    size = max(int(k) for k in class_weight) + 1
    table = torch.ones(size, device=device)
    for k, w in class_weight.items():
        table[int(k)] = float(w)
    return table


def _apply_class_weight(table: torch.Tensor, y, sw):
    y = _as_list(y)[0]
    if y.dim() > 1 and y.shape[-1] > 1:
        labels = y.argmax(-1)
    else:
        labels = y.reshape(y.shape[0]).round().long() if y.is_floating_point() else y.reshape(
            y.shape[0])
    weights = table[labels.clamp(0, table.shape[0] - 1)]
    return weights if sw is None else sw * weights


def _concat(chunks: list):
    first = chunks[0]
    if isinstance(first, torch.Tensor):
        return torch.cat([c for c in chunks], dim=0).cpu().numpy() if first.dim() else \
            np.stack([c.cpu().numpy() for c in chunks])
    if isinstance(first, (list, tuple)):
        return [_concat([c[i] for c in chunks]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: _concat([c[k] for c in chunks]) for k in first}
    return chunks


def steps_for(n: int, batch_size: int) -> int:
    return math.ceil(n / batch_size)



def _raw_loss_output(loss_fn, y_true, y_pred):
    """The unreduced value of a ``Loss`` (its ``call``), or None when it cannot be had."""
    call = getattr(loss_fn, "call", None)
    if call is None:
        return None
    try:
        return call(y_true, y_pred)
    except Exception:  # noqa: BLE001 - only used to explain another error
        return None


def _loss_type_error(output_name: str, loss_fn, value) -> TypeError:
    """The error for a loss that returned something other than a tensor."""
    what = type(value).__name__
    hint = ""
    if hasattr(value, "log_prob") and hasattr(value, "sample"):
        what = f"a distribution ({what})"
        hint = " (a distribution is not a loss value)"
    name = getattr(loss_fn, "name", None) or getattr(loss_fn, "__name__", type(loss_fn).__name__)
    return TypeError(
        f"The loss {name!r} for output {output_name!r} returned {what} instead of a "
        f"torch.Tensor{hint}: a loss on a distribution output must reduce it to numbers, e.g. "
        f"`loss=lambda y, rv: -rv.log_prob(y)`."
    )


def _compiled_forward(model) -> Any:
    """``torch.compile`` of ``model(x, training=...)`` through a code object of the model's own.

    Dynamo keeps its compiled graphs, and its limit of 8 recompilations, per code object: compiling
    every model through one shared function (or ``torch.compile(model)``, whose ``__call__`` all
    models share) would make the ninth model compiled in a process fall back to eager.
    """
    def forward(x, training):
        return model(x, training=training)

    code = forward.__code__.replace(co_name=f"forward_{type(model).__name__}_{id(model):x}")
    return torch.compile(types.FunctionType(code, forward.__globals__, code.co_name, None,
                                            forward.__closure__))
