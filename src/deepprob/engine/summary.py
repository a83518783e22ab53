"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts.

The numbers follow Keras exactly: each layer's ``count_params()``, output shapes with ``None`` for
the batch, and after the table the total / trainable / non-trainable counts with their sizes in
bytes (``Total params: 101,770 (397.54 KB)``), plus the optimizer's variables once it is built.
Functional models whose graph is not a plain chain get a ``Connected to`` column
(``dense[0][0]``); torch functions applied between layers are rows of their own
(``torch.unsqueeze (TorchOp)``).
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable

import torch
from torch import nn

from deepprob.engine import symbolic
from deepprob.engine.symbolic import KerasTensor

__all__ = ["print_summary", "readable_memory_size", "count_params"]

_UNICODE = {"top": "┏━┳┓", "head": "┃┃┃", "head_sep": "┡━╇┩", "row": "│││",
            "row_sep": "├─┼┤", "bottom": "└─┴┘"}
_ASCII = {"top": "+=++", "head": "|||", "head_sep": "+=++", "row": "|||",
          "row_sep": "+-++", "bottom": "+-++"}


def readable_memory_size(size: float) -> str:
    """Bytes as Keras prints them: ``397.54 KB``, ``0.00 B`` (powers of 1024).

    Args:
        size: a number of bytes.

    Example:
        >>> readable_memory_size(407080)
        '397.54 KB'
    """
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def count_params(weights) -> tuple[int, int]:
    """(number of scalars, bytes) of the distinct tensors in ``weights``."""
    unique = {id(w): w for w in weights}.values()
    return (int(sum(w.numel() for w in unique)),
            int(sum(w.numel() * w.element_size() for w in unique)))


def _format_shape(value) -> str:
    if isinstance(value, KerasTensor):
        return "(" + ", ".join(str(d) for d in value.shape) + ")"
    if isinstance(value, (list, tuple)):
        inner = [_format_shape(v) for v in value]
        return inner[0] if len(inner) == 1 else "[" + ", ".join(inner) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_format_shape(v)}" for k, v in value.items()) + "}"
    return "?"


class _Row:
    def __init__(self, label: str, shape: str, params: str, connections: list[str],
                 trainable: str = "-"):
        self.label, self.shape, self.params = label, shape, params
        self.connections, self.trainable = connections, trainable


def _graph_rows(model, graph, nested_level: int, expand_nested: bool,
                show_trainable: bool) -> tuple[list[_Row], bool]:
    """Rows of a graph-backed model and whether the graph is a plain chain."""
    from deepprob.engine import serialization
    from deepprob.engine.sequential import Sequential

    is_sequential = isinstance(model, Sequential)
    producer_name: dict[int, str] = {}
    node_index: dict[int, int] = {}
    per_op_count: dict[int, int] = {}
    order: list = []  # (key, op or node, [nodes])
    groups: dict[int, list] = {}
    names_used: set[str] = set()
    counts: dict[str, int] = {}

    def register(node, name, key):
        producer_name[id(node)] = name
        node_index[id(node)] = per_op_count.get(key, 0)
        per_op_count[key] = per_op_count.get(key, 0) + 1

    for t in graph.inputs:
        layer = t.node.op
        register(t.node, layer.name, id(layer))
        names_used.add(layer.name)
        if not is_sequential:  # Keras lists a Sequential model's layers without its InputLayer
            order.append(("layer", layer, [t.node]))
    for node in graph.nodes:
        if isinstance(node.op, nn.Module):
            key = id(node.op)
            name = getattr(node.op, "name", type(node.op).__name__)
            register(node, name, key)
            if key in groups:
                groups[key].append(node)
            else:
                groups[key] = [node]
                order.append(("layer", node.op, groups[key]))
        else:
            base = serialization.node_display_name(node)
            name = base
            while name in names_used:
                counts[base] = counts.get(base, 0) + 1
                name = f"{base}_{counts[base]}"
            names_used.add(name)
            register(node, name, id(node))
            order.append(("op", name, [node]))

    chain = True
    for _, _, nodes in order:
        if len(nodes) > 1 or any(len(n.inbound_tensors) > 1 for n in nodes):
            chain = False
    if any(kind == "op" and len(nodes[0].inbound_tensors) != 1 for kind, _, nodes in order):
        chain = False

    def connections(nodes) -> list[str]:
        out = []
        for node in nodes:
            for t in node.inbound_tensors:
                producer = t.node
                tensors = producer.output_tensors if producer.outputs is not t else [t]
                index = tensors.index(t) if t in tensors else 0
                out.append(f"{producer_name.get(id(producer), '?')}"
                           f"[{node_index.get(id(producer), 0)}][{index}]")
        return out or ["-"]

    prefix = ("   " * nested_level + "└ ") if nested_level else ""
    rows: list[_Row] = []
    for kind, obj, nodes in order:
        shape = _format_shape(nodes[0].outputs)
        if kind == "layer":
            rows.append(_Row(f"{prefix}{obj.name} ({type(obj).__name__})", shape,
                             _layer_params(obj), connections(nodes) if nodes[0].args else ["-"],
                             _trainable_flag(obj)))
            if expand_nested and hasattr(obj, "layers") and getattr(obj, "_graph", None):
                rows += _rows(obj, nested_level + 1, expand_nested, show_trainable)[0]
        else:
            owners = list(nodes[0].owners)
            bound = getattr(nodes[0].op, "__self__", None)
            if isinstance(bound, nn.Module):
                owners.append(bound)
            n = count_params([p for m in owners if isinstance(m, nn.Module)
                              for p in m.parameters()])[0]
            rows.append(_Row(f"{prefix}{obj} (TorchOp)", shape, f"{n:,}", connections(nodes),
                             "-"))
    return rows, chain


def _layer_params(layer) -> str:
    if not getattr(layer, "built", True) and not list(layer.parameters()):
        return "0 (unbuilt)"
    unique = {id(p): p for p in layer.parameters()}.values()
    return f"{sum(p.numel() for p in unique):,}"


def _trainable_flag(layer) -> str:
    if not list(layer.parameters()):
        return "-"
    return "Y" if getattr(layer, "trainable", True) else "N"


def _subclassed_rows(model, nested_level: int) -> list[_Row]:
    """A subclassed model: its direct sub-layers, shapes from one placeholder forward pass."""
    from deepprob.engine.layer import Layer

    shapes: dict[int, str] = {}
    children = [c for c in model.children() if isinstance(c, nn.Module)]
    input_shape = getattr(model, "_build_input_shape", None)
    if input_shape is not None:
        # Layers run ``call`` from their own __call__ (torch's forward hooks do not fire), so
        # wrap each child's ``call`` for one placeholder pass.
        def recorder(child):
            original = child.call

            def call(*args, **kwargs):
                output = original(*args, **kwargs)
                shapes.setdefault(id(child), _format_shape(
                    symbolic.map_structure(_batchless_spec, output)))
                return output
            return call

        wrapped = [c for c in children if isinstance(c, Layer)]
        for child in wrapped:
            child.__dict__["call"] = recorder(child)
        try:
            with torch.no_grad():
                model(_zeros(input_shape))
        except Exception:  # noqa: BLE001 - shapes are optional in the summary
            shapes.clear()
        finally:
            for child in wrapped:
                child.__dict__.pop("call", None)
    prefix = ("   " * nested_level + "└ ") if nested_level else ""
    return [_Row(f"{prefix}{getattr(c, 'name', type(c).__name__)} ({type(c).__name__})",
                 shapes.get(id(c), "?"), _layer_params(c), ["-"], _trainable_flag(c))
            for c in children]


def _batchless_spec(value):
    if isinstance(value, torch.Tensor):
        return KerasTensor((None,) + tuple(value.shape[1:]), value.dtype)
    return value


def _zeros(shape):
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return [_zeros(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _zeros(v) for k, v in shape.items()}
    return torch.zeros(tuple(2 if d is None else d for d in shape))


def _rows(model, nested_level: int, expand_nested: bool, show_trainable: bool):
    graph = getattr(model, "_graph", None)
    if graph is not None:
        return _graph_rows(model, graph, nested_level, expand_nested, show_trainable)
    return _subclassed_rows(model, nested_level), True


def _optimizer_counts(model) -> tuple[int, int] | None:
    """Keras's optimizer variables: per-weight slots, plus the iteration count (int64) and
    the learning rate (float32)."""
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "compiled", False) or optimizer is None:
        return None
    torch_opt = getattr(optimizer, "torch_optimizer", None)
    if not getattr(optimizer, "built", False):
        return None
    count, size = 2, 8 + 4
    if torch_opt is not None:
        for param, state in torch_opt.state.items():
            for value in state.values():
                if isinstance(value, torch.Tensor) and value.dim() > 0 \
                        and value.numel() == param.numel():
                    count += value.numel()
                    size += value.numel() * value.element_size()
    return count, size


def _can_encode(text: str) -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _render(header: list[str], rows: list[list[str]], widths: list[int], align: list[str],
            box: dict) -> list[str]:
    content = [w - 3 for w in widths[:-1]] + [widths[-1] - 4]

    def rule(kind: str) -> str:
        left, fill, mid, right = box[kind]
        return left + mid.join(fill * (c + 2) for c in content) + right

    def line(cells: list[str], kind: str) -> list[str]:
        wrapped = [_wrap(text, c) for text, c in zip(cells, content)]
        height = max(len(w) for w in wrapped)
        out = []
        edge, _, inner = box[kind]
        for i in range(height):
            parts = []
            for lines, c, how in zip(wrapped, content, align):
                text = lines[i] if i < len(lines) else ""
                text = text.rjust(c) if how == "right" else (
                    text.center(c) if how == "center" else text.ljust(c))
                parts.append(f" {text} ")
            out.append(edge + inner.join(parts) + edge)
        return out

    lines = [rule("top")] + line(header, "head") + [rule("head_sep")]
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("row_sep"))
        lines += line(row, "row")
    lines.append(rule("bottom"))
    return lines


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width=max(width, 1), break_long_words=True,
                         break_on_hyphens=False) or [""]


def print_summary(model, line_length: int | None = None, positions=None,
                  print_fn: Callable[[str], object] | None = None, expand_nested: bool = False,
                  show_trainable: bool = False) -> None:
    """Print Keras 3's summary table of ``model``.

    Args:
        model: a built model (Sequential, functional or subclassed).
        line_length: total width of the table (88, or 108 with ``Connected to``, by default,
            capped by the terminal's width).
        positions: right edges of the columns, as fractions of ``line_length`` (or absolute).
        print_fn: called with each line (``print`` by default).
        expand_nested: also list the layers inside nested models, indented.
        show_trainable: add a column saying whether each layer is trainable.

    Example:
        >>> model = dp.Sequential([dp.layers.Dense(10, input_shape=(784,))])
        >>> model.summary()   # ... Total params: 7,850 (30.66 KB)
    """
    if not getattr(model, "built", False) and getattr(model, "_graph", None) is None:
        raise ValueError(
            f"This model ({model.name!r}) has not yet been built, so its layers have no weights "
            "or output shapes to summarize. Build it first: give the first layer "
            "`input_shape=`, start it with dp.Input, call model.build(input_shape), or call it "
            "on a batch of data."
        )
    if line_length is not None and (isinstance(line_length, bool)
                                    or not isinstance(line_length, int) or line_length <= 0):
        raise ValueError(
            f"Argument `line_length`: expected a positive integer, received {line_length!r}."
        )
    if print_fn is not None and not callable(print_fn):
        raise TypeError(f"Argument `print_fn`: expected a callable, received {print_fn!r}.")
    rows, chain = _rows(model, 0, expand_nested, show_trainable)
    if chain:
        default_length, default_positions = 88, [0.45, 0.80, 1.0]
        header, align = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default_length, default_positions = 108, [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        align = ["left", "left", "right", "left"]
    positions = list(positions) if positions is not None else default_positions
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    if len(positions) != len(header):
        raise ValueError(
            f"Argument `positions`: expected {len(header)} column positions, received "
            f"{len(positions)}."
        )
    if line_length is None:
        line_length = min(default_length, max(shutil.get_terminal_size((120, 24)).columns - 4,
                                              40))
    if positions[-1] <= 1:
        positions = [int(p * line_length) for p in positions]
    widths, current = [], 0
    for pos in positions:
        width = int(pos) - current
        if width < 5:
            raise ValueError(
                f"Argument `line_length`/`positions`: {line_length} characters are too few for "
                f"the columns {header} (each needs at least 5)."
            )
        widths.append(width)
        current += width
    for i, title in enumerate(header):  # room for each title, taken from the widest column
        need = len(title) + (4 if i == len(header) - 1 else 3)
        if widths[i] < need:
            widest = max(range(len(widths)), key=lambda j: widths[j])
            widths[widest] -= need - widths[i]
            widths[i] = need
    body = []
    for row in rows:
        cells = [row.label, row.shape, row.params]
        if not chain:
            cells.append(", ".join(row.connections))
        if show_trainable:
            cells.append(row.trainable)
        body.append(cells)
    box = _UNICODE if print_fn is not None or _can_encode("┏━┃│└") else _ASCII
    trainable_n, trainable_b = count_params(model.trainable_weights)
    frozen_n, frozen_b = count_params(model.non_trainable_weights)
    optimizer = _optimizer_counts(model)
    total_n = trainable_n + frozen_n + (optimizer[0] if optimizer else 0)
    total_b = trainable_b + frozen_b + (optimizer[1] if optimizer else 0)
    lines = [f'Model: "{model.name}"']
    lines += _render(header, body, widths, align, box)
    lines.append(f" Total params: {total_n:,} ({readable_memory_size(total_b)})")
    lines.append(f" Trainable params: {trainable_n:,} ({readable_memory_size(trainable_b)})")
    lines.append(f" Non-trainable params: {frozen_n:,} ({readable_memory_size(frozen_b)})")
    if optimizer is not None:
        lines.append(f" Optimizer params: {optimizer[0]:,} "
                     f"({readable_memory_size(optimizer[1])})")
    emit = print_fn or print
    for text in lines:
        emit(text)
