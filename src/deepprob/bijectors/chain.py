"""``Chain``: the composition of bijectors, in TFP's order (the last one is applied first)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from deepprob._errors import unknown
from deepprob.bijectors.bijector import Bijector

__all__ = ["Chain"]


def check_bijectors(bijectors: Any, argument: str = "bijectors") -> list[Bijector]:
    """Return ``bijectors`` as a list, raising a clear error for non-bijector entries."""
    if isinstance(bijectors, Bijector):
        raise TypeError(f"Argument `{argument}`: expected a list of bijectors, received a single "
                        f"bijector {bijectors.name!r}; wrap it in a list.")
    try:
        bijectors = list(bijectors)
    except TypeError as err:
        raise TypeError(f"Argument `{argument}`: expected a list of bijectors, received "
                        f"{type(bijectors).__name__}.") from err
    for i, b in enumerate(bijectors):
        if not isinstance(b, Bijector):
            raise TypeError(f"Argument `{argument}`: entry {i} is a {type(b).__name__}, expected "
                            f"a dp.bijectors.Bijector.")
    return bijectors


def route_kwargs(owner: Bijector, bijectors: Iterable[Bijector], kwargs: dict) -> dict:
    """Check TFP-style per-bijector keyword arguments ``{bijector_name: {kwarg: value}}``."""
    if not kwargs:
        return kwargs
    names = {b.name for b in bijectors}
    for key, value in kwargs.items():
        if key not in names:
            err = unknown("bijector name", key, names, argument=key)
            raise ValueError(
                f"{owner.name!r} routes keyword arguments to its bijectors by name, as TFP: "
                f"pass e.g. {owner.name}.forward(x, <bijector name>={{{key!r}: value}}). "
                f"{err}")
        if not isinstance(value, dict):
            raise TypeError(f"Argument `{key}`: the keyword arguments for bijector {key!r} must "
                            f"be a dict, received {type(value).__name__}.")
    return kwargs


# Passes whose intermediate values no caller can see again (TransformedDistribution.log_prob
# keeps the base-space point to itself) are not remembered: recording costs ~20 us a call.
_SKIP_RECORD = [0]


class skip_recording:
    """Context (internal): chains run inside it do not remember their pass (their cache
    lookups still work)."""

    def __enter__(self) -> None:
        _SKIP_RECORD[0] += 1

    def __exit__(self, *exc: Any) -> None:
        _SKIP_RECORD[0] -= 1


class _Entry:
    """One remembered pass: values in application order and what they depended on."""

    __slots__ = ("points", "v_in", "v_out", "kwargs", "state", "valid")

    def __init__(self, points: list, kwargs: dict, state: tuple):
        self.points = points
        self.v_in, self.v_out = points[0]._version, points[-1]._version
        self.kwargs = kwargs
        self.state = state
        self.valid = [True]


def _same(a: Any, b: Any) -> bool:
    """Keyword arguments equal by identity of their leaves (nested dicts compared by key)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a is b


def _only(b: Bijector, hook: str) -> bool:
    """Whether ``b`` implements the log-det hook ``hook`` and not the other one."""
    other = "_forward_log_det_jacobian" if hook.startswith("_inverse") else \
        "_inverse_log_det_jacobian"
    return b._overrides(hook) and not b._overrides(other)


def _add(total: torch.Tensor | None, ldj: torch.Tensor) -> torch.Tensor:
    return ldj if total is None else total + ldj


class Chain(Bijector):
    """Composition of bijectors: ``Chain([b1, b2]).forward(x) == b1.forward(b2.forward(x))``.

    Keyword arguments are routed by bijector name, as in TFP:
    ``chain.forward(x, maf={"conditional_input": c})`` passes ``conditional_input=c`` to the
    bijector named ``"maf"`` only.

    Args:
        bijectors: the bijectors, outermost first (an empty list is the identity).
        validate_args: unused.
        validate_event_size: unused (TFP compatibility).
        parameters: ignored.
        name: the name; defaults to ``"chain_of_" + "_of_".join(names)``.

    Example:
        >>> b = dp.bijectors.Chain([dp.bijectors.Shift(1.0), dp.bijectors.Scale(2.0)])
        >>> b.forward(torch.tensor([1.0]))   # 2 * 1 + 1
        tensor([3.])
    """

    def __init__(self, bijectors: Iterable[Bijector] | None = None, validate_args: bool = False,
                 validate_event_size: bool = True, parameters: Any = None,
                 name: str | None = None):
        bijectors = check_bijectors(bijectors if bijectors is not None else [])
        if name is None:
            name = ("chain_of_" + "_of_".join(b.name for b in bijectors)) if bijectors \
                else "identity"
        fmin, shift = 0, 0
        for b in reversed(bijectors):  # application order
            fmin = max(fmin, b.forward_min_event_ndims - shift)
            shift += b.inverse_min_event_ndims - b.forward_min_event_ndims
        super().__init__(forward_min_event_ndims=fmin, inverse_min_event_ndims=fmin + shift,
                         is_constant_jacobian=all(b.is_constant_jacobian for b in bijectors),
                         validate_args=validate_args, name=name)
        self.bijectors = torch.nn.ModuleList(bijectors)
        #: remember the last pass's intermediate values (see ``_record``); False disables it
        self.cache_results = True

    def _order(self):
        return list(self.bijectors)[::-1]

    # -- cache ----------------------------------------------------------------------------------
    # The last forward/inverse pass is remembered (all intermediate values, in application
    # order), as TFP's bijector cache: ``forward(x)`` then ``forward_log_det_jacobian(x)`` (or
    # ``inverse(y)`` of the value just produced) reuses the intermediates instead of recomputing
    # them. An entry is used only for the very same tensor object, unmodified, with the same
    # keyword-argument objects, grad mode, module modes and parameter versions (any optimizer
    # step or in-place change invalidates it).
    def _state(self) -> tuple:
        state = [torch.is_grad_enabled(), torch.is_inference_mode_enabled()]
        modules = self.__dict__.get("_module_list")
        if modules is None:  # the module tree, walked once (clear_cache() refreshes it)
            modules = self.__dict__["_module_list"] = list(self.modules())
        for m in modules:  # module modes, parameter and buffer versions
            state.append(m.training)
            for t in m._parameters.values():
                if t is not None:
                    state.append(t._version)
            for t in m._buffers.values():
                if t is not None:
                    state.append(t._version)
        return tuple(state)

    def _record(self, points: list, kwargs: dict, given: int) -> None:
        """Remember ``points``; ``given`` is the index of the caller's tensor (0 or -1)."""
        if not self.cache_results or _SKIP_RECORD[0] or torch.compiler.is_compiling():
            return
        entry = _Entry(points, kwargs, self._state())
        if torch.is_grad_enabled():
            # A backward pass through these values frees their graph: forget them then. Any
            # backward reaching one of them also reaches the first one computed that requires
            # grad (autograd walks back through the chain), and any backward from the result
            # reaches the last one: hooks on those two suffice.
            flag = entry.valid  # a list, so the hook holds no reference to the tensors

            def invalidate(grad, flag=flag):
                flag[0] = False

            own = points[1:] if given == 0 else points[-2::-1]  # in computation order
            grad_points = [t for t in own if t.requires_grad]
            if grad_points:
                grad_points[0].register_hook(invalidate)
                if grad_points[-1] is not grad_points[0]:
                    grad_points[-1].register_hook(invalidate)
        self.__dict__["_cache"] = entry

    def _lookup(self, value: torch.Tensor, kwargs: dict, as_input: bool) -> list | None:
        entry = self.__dict__.get("_cache")
        if entry is None or not entry.valid[0] or torch.compiler.is_compiling():
            return None
        points = entry.points
        if as_input:
            if points[0] is not value or value._version != entry.v_in:
                return None
        elif points[-1] is not value or value._version != entry.v_out:
            return None
        if not _same(kwargs, entry.kwargs) or entry.state != self._state():
            return None
        return points

    def clear_cache(self) -> None:
        """Forget the remembered intermediate values of the last pass."""
        self.__dict__.pop("_cache", None)
        self.__dict__.pop("_module_list", None)

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        state = dict(state)
        state.pop("_cache", None)  # intermediate tensors are not part of the module's state
        state.pop("_module_list", None)
        return state

    def _event_ndims_along(self, event_ndims: int) -> list[int]:
        out = []
        for b in self._order():
            out.append(event_ndims)
            event_ndims = b.forward_event_ndims(event_ndims)
        return out

    def _fldj_from(self, points, event_ndims, kwargs):
        total = None
        for j, (b, n) in enumerate(zip(self._order(), self._event_ndims_along(event_ndims))):
            kw = kwargs.get(b.name, {})
            if _only(b, "_inverse_log_det_jacobian"):  # use the known output, no inverse
                ldj = -b._call_ildj(points[j + 1], b.forward_event_ndims(n), kw)
            else:
                ldj = b._call_fldj(points[j], n, kw)
            total = _add(total, ldj)
        return total if total is not None else points[0].new_zeros(())

    def _ildj_from(self, points, event_ndims, kwargs):
        total = None
        order = self._order()
        ndims = self._event_ndims_along(self.inverse_event_ndims(event_ndims))
        for j in range(len(order) - 1, -1, -1):
            b, kw = order[j], kwargs.get(order[j].name, {})
            if _only(b, "_forward_log_det_jacobian"):  # use the known input, no inverse
                ldj = -b._call_fldj(points[j], ndims[j], kw)
            else:
                ldj = b._call_ildj(points[j + 1], b.forward_event_ndims(ndims[j]), kw)
            total = _add(total, ldj)
        return total if total is not None else points[-1].new_zeros(())

    # -- transforms -----------------------------------------------------------------------------
    def _forward(self, x, **kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        points = self._lookup(x, kwargs, as_input=True)
        if points is not None:
            return points[-1]
        points = [x]
        for b in self._order():
            points.append(b.forward(points[-1], **kwargs.get(b.name, {})))
        self._record(points, kwargs, 0)
        return points[-1]

    def _inverse(self, y, **kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        points = self._lookup(y, kwargs, as_input=False)
        if points is not None:
            return points[0]
        points = [y]
        for b in self.bijectors:
            points.append(b.inverse(points[-1], **kwargs.get(b.name, {})))
        points.reverse()
        self._record(points, kwargs, -1)
        return points[0]

    def _call_fldj(self, x, event_ndims, kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        points = self._lookup(x, kwargs, as_input=True)
        if points is not None:
            return self._fldj_from(points, event_ndims, kwargs)
        total = None
        order = self._order()
        for i, b in enumerate(order):
            kw = kwargs.get(b.name, {})
            total = _add(total, b._call_fldj(x, event_ndims, kw))
            if i + 1 < len(order):
                x = b.forward(x, **kw)
                event_ndims = b.forward_event_ndims(event_ndims)
        return total if total is not None else x.new_zeros(())

    def _call_ildj(self, y, event_ndims, kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        points = self._lookup(y, kwargs, as_input=False)
        if points is not None:
            return self._ildj_from(points, event_ndims, kwargs)
        total = None
        n = len(self.bijectors)
        for i, b in enumerate(self.bijectors):
            kw = kwargs.get(b.name, {})
            total = _add(total, b._call_ildj(y, event_ndims, kw))
            if i + 1 < n:
                y = b.inverse(y, **kw)
                event_ndims = b.inverse_event_ndims(event_ndims)
        return total if total is not None else y.new_zeros(())

    def _call_forward_and_fldj(self, x, event_ndims, kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        points = self._lookup(x, kwargs, as_input=True)
        if points is not None:
            return points[-1], self._fldj_from(points, event_ndims, kwargs)
        total = None
        points = [x]
        for b in self._order():
            y, ldj = b._call_forward_and_fldj(points[-1], event_ndims, kwargs.get(b.name, {}))
            points.append(y)
            total = _add(total, ldj)
            event_ndims = b.forward_event_ndims(event_ndims)
        self._record(points, kwargs, 0)
        return points[-1], (total if total is not None else x.new_zeros(()))

    def _call_inverse_and_ildj(self, y, event_ndims, kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        points = self._lookup(y, kwargs, as_input=False)
        if points is not None:
            return points[0], self._ildj_from(points, event_ndims, kwargs)
        total = None
        points = [y]
        for b in self.bijectors:
            x, ldj = b._call_inverse_and_ildj(points[-1], event_ndims, kwargs.get(b.name, {}))
            points.append(x)
            total = _add(total, ldj)
            event_ndims = b.inverse_event_ndims(event_ndims)
        points.reverse()
        self._record(points, kwargs, -1)
        return points[0], (total if total is not None else y.new_zeros(()))

    def _forward_event_shape(self, input_shape):
        for b in self._order():
            input_shape = b.forward_event_shape(input_shape)
        return input_shape

    def _inverse_event_shape(self, output_shape):
        for b in self.bijectors:
            output_shape = b.inverse_event_shape(output_shape)
        return output_shape

    def _batch_shape_at(self, extra):
        n = extra + self.forward_min_event_ndims
        shape = torch.Size()
        for b in self._order():
            own = b._batch_shape_at(n - b.forward_min_event_ndims)
            if own:  # (torch.broadcast_shapes costs ~50 us even on empty shapes)
                shape = torch.broadcast_shapes(shape, own) if shape else own
            n = b.forward_event_ndims(n)
        return shape

    def _is_increasing(self, **kwargs):
        increasing = True
        for b in self.bijectors:
            inc = b._is_increasing(**kwargs.get(b.name, {}))
            increasing = increasing == inc  # two decreasing maps compose to an increasing one
        return increasing
