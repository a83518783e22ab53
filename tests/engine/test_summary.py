"""model.summary(): Keras's table and numbers (parameter counts and byte sizes)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.engine.summary import readable_memory_size


def _layer(name: str):
    """A layer class from dp.layers (or the submodule it is defined in while it lands)."""
    if hasattr(dp.layers, name):
        return getattr(dp.layers, name)
    for module in ("convolutional", "pooling", "normalization"):
        try:
            mod = importlib.import_module(f"deepprob.layers.{module}")
        except ImportError:
            continue
        if hasattr(mod, name):
            return getattr(mod, name)
    pytest.skip(f"dp.layers.{name} has not landed yet")


def _summary(model, **kwargs) -> list[str]:
    lines: list[str] = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def _row(lines: list[str], label: str) -> list[str]:
    for line in lines:
        if label in line:
            return [cell.strip() for cell in line.replace("┃", "│").strip("│").split("│")]
    raise AssertionError(f"no row {label!r} in\n" + "\n".join(lines))


def _size(n_bytes: int) -> str:
    # Independent of the implementation: KB = 1024 bytes, two decimals, as Keras prints.
    if n_bytes < 1024:
        return f"{n_bytes:.2f} B"
    if n_bytes < 1024**2:
        return f"{n_bytes / 1024:.2f} KB"
    return f"{n_bytes / 1024**2:.2f} MB"


def course_mlp():
    return dp.Sequential([
        dp.layers.Flatten(input_shape=(28, 28)),
        dp.layers.Dense(128, activation="relu"),
        dp.layers.Dense(10, activation="softmax"),
    ])


def test_course_mlp_matches_keras_numbers_before_any_data():
    lines = _summary(course_mlp())
    assert lines[0].startswith('Model: "sequential')
    header = _row(lines, "Layer (type)")
    assert header[:3] == ["Layer (type)", "Output Shape", "Param #"]
    assert "Connected to" not in "".join(lines)
    assert _row(lines, "(Flatten)")[1:] == ["(None, 784)", "0"]
    dense = [r for r in lines if "(Dense)" in r]
    assert [c.strip() for c in dense[0].strip("│").split("│")][1:] == ["(None, 128)", "100,480"]
    assert [c.strip() for c in dense[1].strip("│").split("│")][1:] == ["(None, 10)", "1,290"]
    n = 784 * 128 + 128 + 128 * 10 + 10
    assert n == 101_770
    assert f" Total params: 101,770 ({_size(4 * n)})" in lines
    assert " Total params: 101,770 (397.54 KB)" in lines
    assert " Trainable params: 101,770 (397.54 KB)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines


def test_course_cnn_totals_243786():
    conv, pool = _layer("Conv2D"), _layer("MaxPooling2D")
    model = dp.Sequential([
        conv(64, (3, 3), activation="relu", input_shape=(28, 28, 1)),
        pool(2, 2),
        conv(64, (3, 3), activation="relu"),
        pool(2, 2),
        dp.layers.Flatten(),
        dp.layers.Dense(128, activation="relu"),
        dp.layers.Dense(10, activation="softmax"),
    ])
    lines = _summary(model)
    assert _row(lines, "conv2d (Conv2D)")[1:] == ["(None, 26, 26, 64)", str(3 * 3 * 1 * 64 + 64)]
    assert _row(lines, "conv2d_1 (Conv2D)")[1:] == ["(None, 11, 11, 64)", "36,928"]
    assert _row(lines, "max_pooling2d_1")[1] == "(None, 5, 5, 64)"
    assert _row(lines, "(Flatten)")[1:] == ["(None, 1600)", "0"]
    total = 640 + 36_928 + (1600 * 128 + 128) + 1290
    assert total == 243_786
    assert f" Total params: 243,786 ({_size(4 * total)})" in lines
    assert " Total params: 243,786 (952.29 KB)" in lines


def test_non_trainable_counts_and_frozen_layers():
    bn = _layer("BatchNormalization")
    model = dp.Sequential([dp.layers.Dense(8, input_shape=(4,)), bn()])
    model.layers[0].trainable = False
    lines = _summary(model, line_length=120)
    # Dense: 4*8+8 = 40 frozen; BN: gamma, beta trainable (16), moving mean/var frozen (16).
    assert " Total params: 72 (288.00 B)" in lines
    assert " Trainable params: 16 (64.00 B)" in lines
    assert " Non-trainable params: 56 (224.00 B)" in lines
    assert _row(lines, "(BatchNormalization)")[2] == "32"


def test_functional_graph_with_torch_ops_has_connected_to():
    a = dp.Input(shape=(5,), name="a")
    b = dp.Input(shape=(3,), name="b")
    h = dp.layers.Dense(4, name="hidden")(a)
    joined = torch.cat([h, b * 100.0], dim=-1)
    out = dp.layers.Dense(2, name="head")(torch.unsqueeze(joined, 1))
    model = dp.Model([a, b], out, name="two_inputs")
    lines = _summary(model)
    assert lines[0] == 'Model: "two_inputs"'
    assert "Connected to" in lines[2]
    assert _row(lines, "a (InputLayer)")[1:] == ["(None, 5)", "0", "-"]
    assert _row(lines, "hidden (Dense)")[1:] == ["(None, 4)", "24", "a[0][0]"]
    assert _row(lines, "operator.mul (TorchOp)")[1:] == ["(None, 3)", "0", "b[0][0]"]
    cat = "".join(line for line in lines if "torch.cat" in line or "operator.mul[0]" in line)
    assert "hidden[0][0]" in cat and "operator.mul[0][0]" in cat
    assert _row(lines, "torch.unsqueeze (TorchOp)")[1] == "(None, 1, 7)"
    assert _row(lines, "head (Dense)")[1:] == ["(None, 1, 2)", "16", "torch.unsqueeze[0][0]"]
    assert " Total params: 40 (160.00 B)" in lines


def test_chain_functional_model_prints_like_keras_without_connections():
    x = dp.Input(shape=(3,), name="x")
    model = dp.Model(x, dp.layers.Dense(2, name="out")(dp.layers.Dense(4, name="mid")(x)))
    lines = _summary(model)
    assert "Connected to" not in "".join(lines)
    assert _row(lines, "x (InputLayer)")[1:] == ["(None, 3)", "0"]
    assert _row(lines, "mid (Dense)")[1:] == ["(None, 4)", "16"]


def test_line_length_sets_the_table_width_and_expand_nested_lists_inner_layers():
    inner = dp.Sequential([dp.layers.Dense(6, input_shape=(5,), name="in1"),
                           dp.layers.Dense(2, name="in2")], name="inner")
    x = dp.Input(shape=(5,))
    model = dp.Model(x, inner(x))
    lines = _summary(model, line_length=70, expand_nested=True, show_trainable=True)
    table = [line for line in lines[1:] if line[:1] in "┏┃┡│├└"]
    assert table and all(len(line) == 70 for line in table)
    assert "Trainable" in lines[2]
    assert _row(lines, "inner (Sequential)")[2] == "50"
    assert _row(lines, "└ in1 (Dense)")[1:3] == ["(None, 6)", "36"]
    assert _row(lines, "└ in2 (Dense)")[1:3] == ["(None, 2)", "14"]
    assert " Total params: 50 (200.00 B)" in lines
    collapsed = _summary(model)
    assert not any("in1" in line for line in collapsed)


def test_subclassed_model_after_a_call_shows_sublayer_shapes():
    class Net(dp.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d1 = dp.layers.Dense(8, name="d1")
            self.d2 = dp.layers.Dense(3, name="d2")

        def call(self, x):
            return self.d2(self.d1(x))

    net = Net(name="net")
    net(torch.zeros(4, 5))
    lines = _summary(net)
    assert _row(lines, "d1 (Dense)")[1:] == ["(None, 8)", "48"]
    assert _row(lines, "d2 (Dense)")[1:] == ["(None, 3)", "27"]
    assert " Total params: 75 (300.00 B)" in lines


def test_unbuilt_model_gives_a_clear_error():
    model = dp.Sequential([dp.layers.Dense(3)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    model.build((None, 4))
    assert " Total params: 15 (60.00 B)" in _summary(model)


def test_bad_arguments():
    model = course_mlp()
    with pytest.raises(ValueError, match="line_length"):
        model.summary(line_length=0)
    with pytest.raises(ValueError, match="too few"):
        model.summary(line_length=10, print_fn=lambda s: None)
    with pytest.raises(TypeError, match="print_fn"):
        model.summary(print_fn="stdout")


def test_readable_memory_size_matches_keras_units():
    assert readable_memory_size(0) == "0.00 B"
    assert readable_memory_size(1023) == "1023.00 B"
    assert readable_memory_size(1024) == "1.00 KB"
    assert readable_memory_size(407_080) == "397.54 KB"
    assert readable_memory_size(3 * 1024**2) == "3.00 MB"


def test_optimizer_params_after_training_count_keras_slots():
    pytest.importorskip("deepprob.losses")
    pytest.importorskip("deepprob.metrics")
    model = course_mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.rand(8, 28, 28).astype("float32")
    y = np.arange(8) % 10
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    lines = _summary(model)
    # Keras's Adam: m and v per weight, plus iterations (int64) and learning rate (float32).
    n = 2 * 101_770 + 2
    assert f" Optimizer params: {n:,} ({_size(8 * 101_770 + 12)})" in lines
    assert f" Total params: {101_770 + n:,} ({_size(4 * 101_770 + 8 * 101_770 + 12)})" in lines
