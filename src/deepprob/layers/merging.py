"""Layers that merge a list of tensors: Concatenate, Add, Subtract, Multiply, Average, Maximum,
Minimum, Dot, and their functional forms (``dp.layers.concatenate([a, b])`` ...)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from deepprob.engine.layer import Layer


def _describe(shapes) -> str:
    return ", ".join(str(tuple(s)) for s in shapes)


class _Merge(Layer):
    """Shared checks: a list of at least two inputs with broadcast-compatible shapes."""

    _exactly: int | None = None

    def _check_list(self, inputs, what: str = "inputs") -> list:
        cls = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            shape = getattr(inputs, "shape", None)
            raise ValueError(
                f"A {cls} layer must be called on a list of tensors, received a single "
                f"{type(inputs).__name__}" + (f" of shape {tuple(shape)}." if shape else ".")
            )
        n = len(inputs)
        if self._exactly is not None and n != self._exactly:
            raise ValueError(
                f"A {cls} layer must be called on a list of exactly {self._exactly} {what}, "
                f"received {n}."
            )
        if n < 2:
            raise ValueError(
                f"A {cls} layer must be called on a list of at least 2 {what}, received {n}."
            )
        return list(inputs)

    def build(self, input_shape) -> None:
        if not input_shape or not all(isinstance(s, (tuple, list)) for s in input_shape):
            raise ValueError(
                f"A {type(self).__name__} layer must be called on a list of tensors, received a "
                f"single Tensor of shape {tuple(input_shape or ())}."
            )
        shapes = self._check_list(input_shape, "inputs")
        self._check_shapes([tuple(s) for s in shapes])
        self.built = True

    def _check_shapes(self, shapes) -> None:
        """Elementwise merges: sizes equal or 1 (broadcastable), batch dims ignored."""
        rank = max(len(s) for s in shapes)
        for i in range(1, rank):
            sizes = {s[len(s) - rank + i] for s in shapes
                     if len(s) - rank + i >= 1 and s[len(s) - rank + i] not in (None, 1)}
            if len(sizes) > 1:
                raise ValueError(
                    f"Inputs of {type(self).__name__} layer {self.name!r} have incompatible "
                    f"shapes: received {_describe(shapes)}."
                )

    def _merge(self, tensors: list[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError

    def call(self, inputs):
        tensors = self._check_list(inputs)
        tensors = [t if isinstance(t, torch.Tensor) else torch.as_tensor(t) for t in tensors]
        return self._merge(tensors)


class Add(_Merge):
    """Sum of a list of tensors of the same shape.

    Example:
        >>> dp.layers.Add()([torch.ones(2, 3), torch.ones(2, 3)])
        tensor([[2., 2., 2.],
                [2., 2., 2.]])
    """

    def _merge(self, tensors):
        return functools.reduce(torch.add, tensors)


class Subtract(_Merge):
    """Difference ``inputs[0] - inputs[1]`` of exactly two tensors.

    Example:
        >>> dp.layers.Subtract()([torch.ones(1, 2), torch.ones(1, 2)])
        tensor([[0., 0.]])
    """

    _exactly = 2

    def _merge(self, tensors):
        return tensors[0] - tensors[1]


class Multiply(_Merge):
    """Elementwise product of a list of tensors.

    Example:
        >>> dp.layers.Multiply()([torch.full((1, 2), 2.0), torch.full((1, 2), 3.0)])
        tensor([[6., 6.]])
    """

    def _merge(self, tensors):
        return functools.reduce(torch.mul, tensors)


class Average(_Merge):
    """Elementwise mean of a list of tensors.

    Example:
        >>> dp.layers.Average()([torch.zeros(1, 2), torch.ones(1, 2)])
        tensor([[0.5000, 0.5000]])
    """

    def _merge(self, tensors):
        return functools.reduce(torch.add, tensors) / len(tensors)


class Maximum(_Merge):
    """Elementwise maximum of a list of tensors.

    Example:
        >>> dp.layers.Maximum()([torch.tensor([[1.0, 5.0]]), torch.tensor([[3.0, 2.0]])])
        tensor([[3., 5.]])
    """

    def _merge(self, tensors):
        return functools.reduce(torch.maximum, tensors)


class Minimum(_Merge):
    """Elementwise minimum of a list of tensors.

    Example:
        >>> dp.layers.Minimum()([torch.tensor([[1.0, 5.0]]), torch.tensor([[3.0, 2.0]])])
        tensor([[1., 2.]])
    """

    def _merge(self, tensors):
        return functools.reduce(torch.minimum, tensors)


class Concatenate(_Merge):
    """Join a list of tensors along ``axis``; all other sizes must match.

    Args:
        axis: the axis to join along (``-1``, the features, by default).

    Example:
        >>> dp.layers.Concatenate()([torch.zeros(2, 3), torch.ones(2, 4)]).shape
        torch.Size([2, 7])
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(
                f"Argument `axis` of Concatenate: expected an integer, received {axis!r}."
            )
        self.axis = axis

    def _check_shapes(self, shapes) -> None:
        ranks = {len(s) for s in shapes}
        bad = len(ranks) > 1
        rank = len(shapes[0])
        if not bad and not -rank <= self.axis < rank:
            raise ValueError(
                f"Argument `axis` of Concatenate layer {self.name!r}: axis {self.axis} is out of "
                f"range for inputs of shapes {_describe(shapes)}."
            )
        if not bad:
            axis = self.axis % rank
            for i in range(1, rank):
                sizes = {s[i] for s in shapes if s[i] is not None}
                if i != axis and len(sizes) > 1:
                    bad = True
        if bad:
            raise ValueError(
                f"A Concatenate layer {self.name!r} (axis={self.axis}) requires inputs with "
                f"matching shapes except for the concatenation axis; received {_describe(shapes)}."
            )

    def _merge(self, tensors):
        if self.built:
            self._check_shapes([(None,) + tuple(t.shape[1:]) for t in tensors])
        dtype = functools.reduce(torch.promote_types, [t.dtype for t in tensors])
        return torch.cat([t.to(dtype) for t in tensors], dim=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product of two tensors along ``axes`` for each sample (Keras's ``batch_dot``).

    Args:
        axes: axis (or a pair, one per input) to contract; counted with the batch axis as 0.
        normalize: L2-normalize both inputs along ``axes`` first, giving cosine similarities.

    Example:
        >>> a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, 4.0]])
        >>> dp.layers.Dot(axes=1)([a, b])
        tensor([[11.]])
    """

    _exactly = 2

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        items = (axes, axes) if isinstance(axes, int) and not isinstance(axes, bool) else axes
        try:
            items = tuple(items)
        except TypeError:
            items = None
        if (items is None or len(items) != 2
                or any(isinstance(a, bool) or not isinstance(a, int) for a in items)):
            raise ValueError(
                f"Argument `axes` of Dot: expected an integer or a pair of integers, "
                f"received {axes!r}."
            )
        self.axes = items
        self.normalize = bool(normalize)

    def _check_shapes(self, shapes) -> None:
        a, b = shapes
        ax = [self.axes[0] % len(a), self.axes[1] % len(b)]
        if 0 in ax or a[ax[0]] is not None and b[ax[1]] is not None and a[ax[0]] != b[ax[1]]:
            raise ValueError(
                f"Dot layer {self.name!r}: the contracted axes {self.axes} must be non-batch "
                f"axes of equal size; received shapes {_describe(shapes)}."
            )

    def _merge(self, tensors):
        x, y = tensors
        ax, ay = self.axes[0] % x.dim(), self.axes[1] % y.dim()
        if self.normalize:
            x, y = F.normalize(x, dim=ax), F.normalize(y, dim=ay)
        x = x.movedim(ax, -1)
        y = y.movedim(ay, 1)
        rest_x, rest_y = x.shape[1:-1], y.shape[2:]
        n = x.shape[0]
        out = torch.bmm(x.reshape(n, -1, x.shape[-1]), y.reshape(n, y.shape[1], -1))
        out = out.reshape((n,) + tuple(rest_x) + tuple(rest_y))
        return out.unsqueeze(-1) if out.dim() == 1 else out

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": list(self.axes), "normalize": self.normalize}


def _functional(cls, doc_name: str):
    def merge(inputs: Sequence, **kwargs):
        return cls(**kwargs)(list(inputs))

    merge.__name__ = doc_name
    merge.__doc__ = (
        f"Functional form of ``{cls.__name__}``: ``{doc_name}([a, b, ...], **kwargs)`` builds the "
        f"layer and calls it on the list.\n\n    Args:\n        inputs: list of tensors.\n"
        f"        **kwargs: the layer's arguments.\n\n    Example:\n"
        f"        >>> dp.layers.{doc_name}([torch.ones(1, 2), torch.ones(1, 2)]).shape[0]\n"
        f"        1\n    "
    )
    return merge


add = _functional(Add, "add")
subtract = _functional(Subtract, "subtract")
multiply = _functional(Multiply, "multiply")
average = _functional(Average, "average")
maximum = _functional(Maximum, "maximum")
minimum = _functional(Minimum, "minimum")


def concatenate(inputs: Sequence, axis: int = -1, **kwargs):
    """Functional form of ``Concatenate``.

    Args:
        inputs: list of tensors.
        axis: the axis to join along.
        **kwargs: other layer arguments (``name`` ...).

    Example:
        >>> dp.layers.concatenate([torch.zeros(2, 3), torch.ones(2, 1)]).shape
        torch.Size([2, 4])
    """
    return Concatenate(axis=axis, **kwargs)(list(inputs))


def dot(inputs: Sequence, axes, normalize: bool = False, **kwargs):
    """Functional form of ``Dot``.

    Args:
        inputs: two tensors.
        axes: axis or pair of axes to contract.
        normalize: cosine similarity instead of the dot product.
        **kwargs: other layer arguments.

    Example:
        >>> dp.layers.dot([torch.ones(1, 3), torch.ones(1, 3)], axes=1)
        tensor([[3.]])
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(list(inputs))
