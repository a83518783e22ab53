"""``Layer``: the one lifecycle every deepprob layer and model follows.

A layer is a ``torch.nn.Module`` with Keras's anatomy: arguments are validated in ``__init__``,
``build(input_shape)`` creates the weights (lazily from the first input, or eagerly when
``input_shape=`` is given), ``call(inputs, training=None, mask=None)`` is the math and
``get_config()`` round-trips through ``from_config``.

Weights keep Keras's layouts at the boundary: ``add_weight(shape=...)`` takes the Keras shape and
an optional ``torch_layout`` permutation saying how the tensor is stored for torch's kernels
(a Dense kernel is Keras ``(in, out)``, stored ``(out, in)`` for ``F.linear``); ``get_weights()``
and ``set_weights()`` speak Keras's layout.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from deepprob import config
from deepprob.engine import symbolic
from deepprob.engine.symbolic import KerasTensor

_NAME_COUNTS: dict[str, int] = {}
# Call context shared by nested layer calls during one outermost call.
_STATE = {"depth": 0, "training": None, "losses": None}
# The outermost-call counter lives apart from _STATE: torch.compile guards on every value of a
# global dict that a compiled call mutates, and a counter there would force a recompile per call.
_CALLS = {"id": 0}


def to_snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name.replace("2_d", "2d").replace("1_d", "1d").replace("3_d", "3d")


def unique_name(base: str) -> str:
    """``dense``, ``dense_1``, ``dense_2`` ... as Keras names layers."""
    count = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    """Forget issued layer names (``dp.backend.clear_session()``)."""
    _NAME_COUNTS.clear()


_CALL_FLAGS: dict[type, tuple[bool, bool]] = {}


def _signature_flags(cls) -> tuple[bool, bool]:
    # kept in a module dict, not on the class: reading a class __dict__ (a mappingproxy) after a
    # dict mutation is a graph break under torch.compile
    cached = _CALL_FLAGS.get(cls)
    if cached is None:
        params = inspect.signature(cls.call).parameters
        has_var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
        cached = _CALL_FLAGS[cls] = ("training" in params or has_var_kw, "mask" in params)
    return cached


def _shape_of(x) -> Any:
    if isinstance(x, (torch.Tensor, KerasTensor)):
        return tuple(x.shape)
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    if isinstance(x, np.ndarray):
        return tuple(x.shape)
    return None


def _to_torch(x):
    if isinstance(x, torch.Tensor) or x is None:
        return x
    if hasattr(x, "_convert_to_tensor"):  # a probabilistic layer's output feeding a layer
        return x._convert_to_tensor()
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "USO":  # raw strings (TextVectorization) stay NumPy
            return x
        t = torch.from_numpy(x)
        return t.to(config.floatx()) if t.is_floating_point() else t
    if isinstance(x, (list, tuple)):
        return type(x)(_to_torch(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_torch(v) for k, v in x.items()}
    if isinstance(x, (int, float)):
        return torch.tensor(x, dtype=config.floatx())
    return x


class InputSpec:
    """What a built layer accepts: ``ndim`` / ``min_ndim`` and fixed sizes of some ``axes``.

    Args:
        ndim: exact rank expected (batch included), or None.
        min_ndim: minimum rank, or None.
        axes: ``{axis: size}`` for axes whose size is fixed (e.g. ``{-1: 784}`` for a Dense layer).
    """

    def __init__(self, ndim: int | None = None, min_ndim: int | None = None,
                 axes: dict[int, int] | None = None):
        self.ndim, self.min_ndim, self.axes = ndim, min_ndim, dict(axes or {})

    def check(self, layer_name: str, shape: Sequence) -> None:
        rank = len(shape)
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(
                f"Input to layer {layer_name!r} is incompatible: expected ndim={self.ndim}, "
                f"received ndim={rank} (full shape {tuple(shape)})."
            )
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(
                f"Input to layer {layer_name!r} is incompatible: expected min_ndim={self.min_ndim},"
                f" received ndim={rank} (full shape {tuple(shape)})."
            )
        for axis, size in self.axes.items():
            if -rank <= axis < rank and shape[axis] is not None and shape[axis] != size:
                raise ValueError(
                    f"Input to layer {layer_name!r} is incompatible: expected axis {axis} of the "
                    f"input to have size {size}, received input of shape {tuple(shape)}."
                )


class Layer(nn.Module):
    """Base class of all layers and models.

    Args:
        name: unique name; derived from the class (``dense``, ``dense_1`` ...) when omitted.
        trainable: whether the layer's weights are updated by training.
        dtype: the dtype of the weights (default ``float32``).
        input_shape: shape of one sample (no batch dimension); builds the layer eagerly and lets
            a ``Sequential`` model know its input before data arrives.
        batch_input_shape: the same, batch dimension included.
        input_dim: shorthand for ``input_shape=(input_dim,)``.
        activity_regularizer: callable applied to the output; its value joins ``losses``,
            divided by the batch size as in Keras.

    Example:
        >>> class Double(dp.layers.Layer):
        ...     def call(self, x):
        ...         return 2 * x
        >>> Double()(torch.ones(2))
        tensor([2., 2.])
    """

    input_spec: InputSpec | None = None
    supports_masking = False

    def __init__(self, name: str | None = None, trainable: bool = True, dtype=None,
                 input_shape: Sequence[int | None] | None = None,
                 batch_input_shape: Sequence[int | None] | None = None,
                 input_dim: int | None = None, activity_regularizer=None, **kwargs):
        super().__init__()
        allowed = {"batch_size", "weights", "autocast", "input_length"}
        bad = set(kwargs) - allowed
        if bad:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(bad)}.")
        self.training = False  # Keras default: calling a layer directly is inference.
        if name is not None and (not isinstance(name, str) or not name or "." in name):
            raise ValueError(
                f"Argument `name`: expected a non-empty string without '.', received {name!r}."
            )
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = _resolve_dtype(dtype)
        self.built = False
        self._weight_info: dict[str, dict] = {}  # name -> {trainable, regularizer, perm, constraint}
        self._losses: list = []
        self._losses_call_id = -1
        self._inbound_nodes: list = []
        self._initial_weights = kwargs.pop("weights", None)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            self._batch_input_shape = (kwargs.get("batch_size"),) + tuple(input_shape)
        else:
            self._batch_input_shape = None
        if activity_regularizer is not None:
            from deepprob import regularizers

            activity_regularizer = regularizers.get(activity_regularizer)
        self.activity_regularizer = activity_regularizer

    # -- weights -------------------------------------------------------------------------------
    def add_weight(self, name: str = "weight", shape: Sequence[int] = (), initializer="glorot_uniform",
                   trainable: bool = True, regularizer=None, constraint=None, dtype=None,
                   torch_layout: Sequence[int] | None = None) -> nn.Parameter:
        """Create, register and return a weight.

        Args:
            name: attribute name (``kernel``, ``bias`` ...); the weight is ``self.<name>``.
            shape: the Keras shape of the weight.
            initializer: name, class instance or callable ``init(shape, dtype)``.
            trainable: False for statistics such as a BatchNormalization moving mean.
            regularizer: name or callable on the weight; its value joins ``losses``.
            constraint: callable applied to the weight after each optimizer step.
            dtype: defaults to the layer's dtype.
            torch_layout: permutation from the Keras shape to the stored one (e.g. ``(1, 0)``).
        """
        from deepprob import constraints, initializers, regularizers

        shape = tuple(int(s) for s in shape)
        if any(s < 0 for s in shape):
            raise ValueError(f"Weight {name!r} of layer {self.name!r}: negative size in {shape}.")
        init = initializers.get(initializer)
        value = torch.as_tensor(init(shape, dtype=dtype or self.dtype), dtype=dtype or self.dtype)
        if torch_layout is not None:
            value = value.permute(*torch_layout)
        param = nn.Parameter(value.contiguous(), requires_grad=bool(trainable) and self._trainable)
        if hasattr(self, name) and name not in self._parameters:
            raise ValueError(f"Layer {self.name!r} already has an attribute {name!r}.")
        self.register_parameter(name, param)
        self._weight_info[name] = {
            "trainable": bool(trainable),
            "regularizer": regularizers.get(regularizer) if regularizer is not None else None,
            "constraint": constraints.get(constraint) if constraint is not None else None,
            "perm": tuple(torch_layout) if torch_layout is not None else None,
        }
        return param

    def _own_weights(self, trainable: bool | None = None) -> list[nn.Parameter]:
        names = list(self._weight_info)
        ordered = [n for n in names if self._weight_info[n]["trainable"]]
        ordered += [n for n in names if not self._weight_info[n]["trainable"]]
        params = [self._parameters[n] for n in ordered if self._parameters.get(n) is not None]
        # Parameters registered directly (nn.Parameter attributes) count as trainable weights.
        params += [p for n, p in self._parameters.items() if n not in self._weight_info
                   and p is not None]
        if trainable is None:
            return params
        return [p for p in params if p.requires_grad == trainable]

    def _sublayers(self) -> list[nn.Module]:
        return list(self.children())

    @property
    def weights(self) -> list[nn.Parameter]:
        """All weights: own (trainable first), then each sub-layer's, without duplicates."""
        seen, out = set(), []
        for p in self._collect(None):
            if id(p) not in seen:
                seen.add(id(p))
                out.append(p)
        return out

    def _collect(self, trainable):
        out = list(self._own_weights(None))
        for child in self._sublayers():
            if isinstance(child, Layer):
                out += child._collect(None)
            else:
                out += list(child.parameters())
        if trainable is None:
            return out
        return [p for p in out if p.requires_grad == trainable]

    @property
    def trainable_weights(self) -> list[nn.Parameter]:
        return [p for p in self.weights if p.requires_grad]

    @property
    def non_trainable_weights(self) -> list[nn.Parameter]:
        return [p for p in self.weights if not p.requires_grad]

    @property
    def variables(self) -> list[nn.Parameter]:
        return self.weights

    @property
    def trainable_variables(self) -> list[nn.Parameter]:
        return self.trainable_weights

    def count_params(self) -> int:
        """Number of scalars in all weights (raises if the layer is not built yet)."""
        if not self.built and not self.weights:
            raise ValueError(
                f"Layer {self.name!r} is not built yet, so its weights do not exist: call it on "
                "data, give it `input_shape=`, or call `build(input_shape)` first."
            )
        return int(sum(p.numel() for p in self.weights))

    def _weight_path_pairs(self) -> list[tuple[Layer | nn.Module, str, nn.Parameter]]:
        """(owner, name, param) in the order of ``weights``."""
        ids = {id(p) for p in self.weights}
        pairs, seen = [], set()

        def walk(module):
            if isinstance(module, Layer):
                own = module._own_weights(None)
                lookup = {id(p): n for n, p in module._parameters.items() if p is not None}
                for p in own:
                    if id(p) in ids and id(p) not in seen:
                        seen.add(id(p))
                        pairs.append((module, lookup[id(p)], p))
                for child in module._sublayers():
                    walk(child)
            else:
                for n, p in module.named_parameters():
                    if id(p) in ids and id(p) not in seen:
                        seen.add(id(p))
                        pairs.append((module, n, p))

        walk(self)
        order = {id(p): i for i, p in enumerate(self.weights)}
        return sorted(pairs, key=lambda t: order[id(t[2])])

    def get_weights(self) -> list[np.ndarray]:
        """The weights as NumPy arrays in Keras's order and shapes."""
        out = []
        for owner, name, p in self._weight_path_pairs():
            perm = owner._weight_info.get(name, {}).get("perm") if isinstance(owner, Layer) else None
            value = p.detach().cpu()
            if perm is not None:
                value = value.permute(*np.argsort(perm))
            out.append(value.numpy().copy())
        return out

    def set_weights(self, weights: Sequence) -> None:
        """Set the weights from NumPy arrays in Keras's order and shapes (as ``get_weights``)."""
        pairs = self._weight_path_pairs()
        weights = list(weights)
        if len(weights) != len(pairs):
            raise ValueError(
                f"Argument `weights` of {self.name!r}.set_weights: expected a list of "
                f"{len(pairs)} arrays, received {len(weights)}."
            )
        with torch.no_grad():
            for (owner, name, p), w in zip(pairs, weights):
                perm = (owner._weight_info.get(name, {}).get("perm")
                        if isinstance(owner, Layer) else None)
                value = torch.as_tensor(np.asarray(w), dtype=p.dtype)
                keras_shape = tuple(p.shape) if perm is None else tuple(
                    p.shape[i] for i in np.argsort(perm))
                if tuple(value.shape) != keras_shape:
                    raise ValueError(
                        f"Argument `weights` of {self.name!r}.set_weights: weight {name!r} of "
                        f"layer {getattr(owner, 'name', owner)!r} expects shape {keras_shape}, "
                        f"received {tuple(value.shape)}."
                    )
                if perm is not None:
                    value = value.permute(*perm)
                p.copy_(value)

    # -- trainable -----------------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._set_trainable(bool(value))

    def _set_trainable(self, value: bool) -> None:
        self._trainable = value
        for name, p in self._parameters.items():
            if p is not None:
                intrinsic = self._weight_info.get(name, {}).get("trainable", True)
                p.requires_grad_(value and intrinsic)
        for child in self.children():
            if isinstance(child, Layer):
                child._set_trainable(value)
            else:
                for p in child.parameters():
                    p.requires_grad_(value)

    # -- losses --------------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Add a loss term (a scalar tensor, or a zero-argument callable) to the objective.

        Terms added during a forward pass join the training loss of the model that ran it.
        """
        if callable(loss) and not isinstance(loss, torch.Tensor):
            loss = loss()
        if isinstance(loss, KerasTensor):
            from deepprob.engine import functional

            functional.add_symbolic_loss(self, loss)
            return
        if _STATE["losses"] is None:  # not inside a model call
            self._losses = [loss]
            self._losses_call_id = _CALLS["id"]
            return
        if torch.compiler.is_compiling():
            # Inside a compiled call the per-layer bookkeeping (keyed on the call counter, which
            # torch.compile would specialize on and recompile for every call) is skipped: the
            # loss joins the call's list, which the outermost layer keeps as _last_call_losses.
            _STATE["losses"].append(loss)
            return
        if self._losses_call_id != _CALLS["id"]:
            self._losses = []
            self._losses_call_id = _CALLS["id"]
        self._losses.append(loss)
        _STATE["losses"].append(loss)

    def _regularization_losses(self) -> list[torch.Tensor]:
        out = []
        for module in self.modules():
            if isinstance(module, Layer):
                for name, info in module._weight_info.items():
                    reg = info["regularizer"]
                    p = module._parameters.get(name)
                    if reg is not None and p is not None and p.requires_grad:
                        perm = info["perm"]
                        out.append(reg(p if perm is None else p.permute(*np.argsort(perm))))
        return out

    def _adopt_compiled_call_losses(self) -> None:
        """After a ``torch.compile``d outermost call (which skips the per-layer bookkeeping):
        start a new call id and let this layer own the call's added losses, so ``losses``
        reports exactly those (and no stale terms from an earlier eager call)."""
        _CALLS["id"] += 1
        self._losses = list(self.__dict__.get("_last_call_losses") or [])
        self._losses_call_id = _CALLS["id"]

    @property
    def losses(self) -> list[torch.Tensor]:
        """Losses added during the last call (activity regularizers, KL terms), then weight
        regularization penalties computed from the current weights."""
        added = []
        for module in self.modules():
            if isinstance(module, Layer) and module._losses_call_id == _CALLS["id"]:
                added += module._losses
        return added + self._regularization_losses()

    # -- building ------------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch dimension included)."""
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        shape = _shape_of(inputs)
        self.build(shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        device = _first_device(inputs)
        if device is not None and device.type != "meta":
            for p in self.parameters():
                if p.device != device:
                    self.to(device)
                    break

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``, found by running ``call`` on placeholders."""
        spec = symbolic.infer_outputs(self, (_placeholder_spec(input_shape),), {})
        return symbolic.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, spec)

    def compute_mask(self, inputs, mask=None):
        """The mask of the output: passed through when ``supports_masking``, else dropped."""
        return mask if self.supports_masking else None

    # -- calling -------------------------------------------------------------------------------
    def call(self, inputs, *args, **kwargs):
        """The layer's computation. Override in subclasses."""
        return inputs

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        if not (args and isinstance(args[0], torch.Tensor)) and (
                symbolic.is_symbolic(args) or symbolic.is_symbolic(kwargs)):
            return self._symbolic_call(args, kwargs)
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f"Layer {self.name!r} was called without inputs.")
            args = (kwargs.pop("inputs"),)
        inputs = args[0]
        if not isinstance(inputs, torch.Tensor):
            inputs = _to_torch(inputs)
            args = (inputs,) + args[1:]
        if not self.built:
            self._maybe_build(inputs)
        has_training, has_mask = _signature_flags(type(self))
        training = kwargs.get("training")
        if has_training:
            if training is None:
                training = _STATE["training"]
                if training is None:
                    training = self.training
                kwargs["training"] = training
        elif "training" in kwargs:
            del kwargs["training"]
        mask = kwargs.get("mask")
        if has_mask:
            if mask is None:
                mask = getattr(inputs, "_keras_mask", None)
                if mask is not None:
                    kwargs["mask"] = mask
        elif "mask" in kwargs:
            del kwargs["mask"]

        outer = _STATE["depth"] == 0
        if outer:
            if not torch.compiler.is_compiling():  # (see add_loss)
                _CALLS["id"] += 1
            _STATE["losses"] = []
            _STATE["training"] = training if "training" in kwargs or not has_training else None
        _STATE["depth"] += 1
        try:
            outputs = self.call(*args, **kwargs)
        except (RuntimeError, IndexError) as err:
            self._explain_call_error(inputs, err)
            raise
        finally:
            _STATE["depth"] -= 1
            if outer:
                self.__dict__["_last_call_losses"] = _STATE["losses"]
                _STATE["losses"] = None
                _STATE["training"] = None
        if self.activity_regularizer is not None and isinstance(outputs, torch.Tensor):
            penalty = self.activity_regularizer(outputs) / outputs.shape[0]
            if not torch.compiler.is_compiling():
                self._losses = [penalty]
                self._losses_call_id = _CALLS["id"]
            if outer:
                self.__dict__["_last_call_losses"] = self._last_call_losses + [penalty]
            elif _STATE["losses"] is not None:
                _STATE["losses"].append(penalty)
        if (self.supports_masking or has_mask) and isinstance(outputs, torch.Tensor):
            out_mask = self.compute_mask(inputs, mask)
            if out_mask is not None:
                outputs._keras_mask = out_mask
        return outputs

    def _explain_call_error(self, inputs, err) -> None:
        if self.input_spec is not None and isinstance(inputs, torch.Tensor):
            self.input_spec.check(self.name, tuple(inputs.shape))
        err.args = (f"In layer {self.name!r} ({type(self).__name__}): {err.args[0]}",) + err.args[1:]

    def _symbolic_call(self, args, kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        if not self.built:
            shape = _shape_of(inputs)
            self.build(shape)
            self.built = True
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None
        if self.input_spec is not None and isinstance(inputs, KerasTensor):
            self.input_spec.check(self.name, inputs.shape)
        kwargs = dict(kwargs)
        kwargs.setdefault("training", None) if _signature_flags(type(self))[0] else None
        outputs = self._symbolic_outputs(args, kwargs)
        symbolic.symbolic_call(self, args, kwargs, outputs=outputs)
        self._inbound_nodes.append(outputs)
        for t in symbolic.flatten(outputs):
            if isinstance(t, KerasTensor) and t.node is not None:
                t.node.layer = self
        return outputs

    def _symbolic_outputs(self, args, kwargs):
        """Output specs for a symbolic call: placeholders run through ``call`` on meta tensors."""
        def run(*a, **k):
            state = {n: p.detach().to(_device_of(a)) for n, p in self.named_parameters()}
            state.update({n: b.detach().to(_device_of(a)) for n, b in self.named_buffers()})
            with _symbolic_run():
                return torch.func.functional_call(self, state, a, k)

        run.name = self.name
        return symbolic.infer_outputs(run, args, kwargs)

    # -- graph access --------------------------------------------------------------------------
    def _node_tensors(self, which: str):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer {self.name!r} has never been called on a symbolic input, so it has no "
                f"`{which}`. Build the model from `dp.Input` (or give the first layer `input_shape=`)."
            )
        outputs = self._inbound_nodes[0]
        if which == "output":
            return outputs
        node = symbolic.flatten(outputs)[0].node
        ins = node.inbound_tensors
        return ins[0] if len(ins) == 1 else ins

    @property
    def output(self):
        """The symbolic output of the layer's first call in a graph (for transfer learning)."""
        return self._node_tensors("output")

    @property
    def input(self):
        """The symbolic input of the layer's first call in a graph."""
        return self._node_tensors("input")

    @property
    def output_shape(self):
        out = self.output
        return symbolic.map_structure(lambda t: t.shape, out)

    @property
    def input_shape(self):
        return symbolic.map_structure(lambda t: t.shape, self.input)

    # -- config --------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments, JSON-serializable, so ``from_config`` rebuilds the layer."""
        config_ = {"name": self.name, "trainable": self.trainable,
                   "dtype": str(self.dtype).replace("torch.", "")}
        if self._batch_input_shape is not None:
            config_["batch_input_shape"] = list(self._batch_input_shape)
        return config_

    @classmethod
    def from_config(cls, config_: dict):
        return cls(**config_)

    def __setattr__(self, name: str, value) -> None:
        if (isinstance(value, (list, tuple)) and value and not name.startswith("_")
                and all(isinstance(v, nn.Module) for v in value)):
            value = nn.ModuleList(value)
        super().__setattr__(name, value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class _symbolic_run:
    """Context for placeholder runs: added losses are discarded, and depth marks a nested call."""

    def __enter__(self):
        self.saved = dict(_STATE)
        _STATE["losses"] = []
        _STATE["depth"] += 1
        _STATE["training"] = False

    def __exit__(self, *exc):
        _STATE.update(self.saved)


def _placeholder_spec(input_shape):
    if isinstance(input_shape, list):
        return [_placeholder_spec(s) for s in input_shape]
    return KerasTensor(input_shape)


def _device_of(args):
    for leaf in symbolic.flatten(args):
        if isinstance(leaf, torch.Tensor):
            return leaf.device
    return torch.device("cpu")


def _first_device(x):
    for leaf in symbolic.flatten(x) if not isinstance(x, torch.Tensor) else [x]:
        if isinstance(leaf, torch.Tensor):
            return leaf.device
    return None


def _resolve_dtype(dtype):
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, str):
        value = getattr(torch, dtype.replace("torch.", ""), None)
        if isinstance(value, torch.dtype):
            return value
    if isinstance(dtype, dict):  # a Keras DTypePolicy config
        return _resolve_dtype(dtype.get("config", {}).get("name"))
    raise ValueError(f"Argument `dtype`: expected a torch dtype or its name, received {dtype!r}.")


Initializer = Callable[..., torch.Tensor]
