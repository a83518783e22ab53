"""model.save / dp.models.load_model: .keras files rebuild models with identical predictions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.saving import keras_file


@dp.saving.register_keras_serializable(package="TestSave")
class Affine(dp.layers.Layer):
    """A registered custom layer: ``x * scale + shift`` with a trainable shift."""

    def __init__(self, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def build(self, input_shape):
        self.add_weight("shift", (input_shape[-1],), "random_normal")
        self.built = True

    def call(self, x):
        return x * self.scale + self.shift

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@dp.saving.register_keras_serializable(package="TestSave")
class TwoTower(dp.Model):
    """A registered subclassed model."""

    def __init__(self, units: int = 5, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.left = dp.layers.Dense(units, activation="relu")
        self.right = dp.layers.Dense(units, activation="tanh")
        self.affine = Affine(0.5)
        self.head = dp.layers.Dense(2)

    def call(self, x):
        return self.head(self.affine(self.left(x) + self.right(x)))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _same_predictions(a, b, x):
    pa, pb = a.predict(x, verbose=0), b.predict(x, verbose=0)
    if isinstance(pa, list):
        for u, v in zip(pa, pb):
            np.testing.assert_array_equal(u, v)
    else:
        np.testing.assert_array_equal(pa, pb)


def course_mlp():
    return dp.Sequential([
        dp.layers.Flatten(input_shape=(28, 28)),
        dp.layers.Dense(128, activation="relu"),
        dp.layers.Dense(10, activation="softmax"),
    ])


def test_sequential_round_trip_and_file_layout(tmp_path):
    model = course_mlp()
    path = tmp_path / "mlp.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"config.json", "metadata.json", "model.weights.safetensors"} <= names
        config = json.loads(archive.read("config.json"))
        from safetensors.numpy import load

        weights = load(archive.read("model.weights.safetensors"))
    assert config["class_name"] == "Sequential"
    assert [layer["class_name"] for layer in config["config"]["layers"]] == [
        "Flatten", "Dense", "Dense"]
    # Keras paths and Keras layouts: the Dense kernel is (in, out).
    d1, d2 = model.layers[1].name, model.layers[2].name
    assert sorted(weights) == sorted(f"{d}/{w}" for d in (d1, d2) for w in ("kernel", "bias"))
    np.testing.assert_array_equal(weights[f"{d1}/kernel"], model.layers[1].get_weights()[0])
    assert weights[f"{d1}/kernel"].shape == (784, 128)
    loaded = dp.models.load_model(path)
    assert type(loaded) is dp.Sequential and loaded.count_params() == 101_770
    _same_predictions(model, loaded, np.random.rand(5, 28, 28).astype("float32"))


def test_functional_multi_input_with_torch_ops_and_nested_model(tmp_path):
    a = dp.Input(shape=(5,), name="a")
    b = dp.Input(shape=(3,), name="b")
    h = dp.layers.Dense(4, activation="relu")(a)
    joined = torch.cat([h, b * 100.0], dim=-1)
    inner = dp.Sequential([dp.layers.Dense(6, activation="tanh", input_shape=(7,)),
                           Affine(2.0), dp.layers.Dense(2)])
    z = torch.unsqueeze(inner(joined), -1)
    model = dp.Model([a, b], [z, z[:, 1] * 0.5])
    model.save(tmp_path / "f.keras")
    loaded = dp.models.load_model(tmp_path / "f.keras")
    x = [np.random.rand(4, 5).astype("float32"), np.random.rand(4, 3).astype("float32")]
    _same_predictions(model, loaded, x)
    assert loaded.predict(x, verbose=0)[0].shape == (4, 2, 1)
    nested = loaded.get_layer(index=3)
    assert isinstance(nested, dp.Sequential) and isinstance(nested.layers[1], Affine)


def test_registered_subclassed_model(tmp_path):
    model = TwoTower(units=5, name="towers")
    x = np.random.rand(6, 3).astype("float32")
    model(torch.from_numpy(x))
    model.save(tmp_path / "s.keras")
    loaded = dp.models.load_model(tmp_path / "s.keras")
    assert type(loaded) is TwoTower and loaded.units == 5 and loaded.name == "towers"
    _same_predictions(model, loaded, x)


def test_unregistered_custom_layer_needs_custom_objects(tmp_path):
    class Plain(dp.layers.Layer):
        def call(self, x):
            return x + 1.0

    model = dp.Sequential([dp.layers.Dense(2, input_shape=(3,)), Plain()])
    model.save(tmp_path / "p.keras")
    with pytest.raises(ValueError, match="Unknown layer or model class 'Plain'.*custom_objects"):
        dp.models.load_model(tmp_path / "p.keras")
    loaded = dp.models.load_model(tmp_path / "p.keras", custom_objects={"Plain": Plain})
    _same_predictions(model, loaded, np.random.rand(2, 3).astype("float32"))


def test_lambda_is_refused_in_safe_mode_and_loads_when_the_user_opts_in(tmp_path):
    model = dp.Sequential([
        dp.layers.Dense(3, input_shape=(4,)),
        dp.layers.Lambda(lambda x: torch.unsqueeze(x, -1) * 100.0),
    ])
    model.save(tmp_path / "lam.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        dp.models.load_model(tmp_path / "lam.keras")
    loaded = dp.models.load_model(tmp_path / "lam.keras", safe_mode=False)
    x = np.random.rand(3, 4).astype("float32")
    _same_predictions(model, loaded, x)
    w, bias = model.get_weights()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), ((x @ w + bias) * 100.0)[..., None],
                               rtol=1e-5)


def test_named_function_in_lambda_loads_in_safe_mode(tmp_path):
    model = dp.Sequential([dp.layers.Dense(3, input_shape=(4,)), dp.layers.Lambda(torch.tanh)])
    model.save(tmp_path / "named.keras")
    loaded = dp.models.load_model(tmp_path / "named.keras")
    assert loaded.layers[1].function is torch.tanh
    _same_predictions(model, loaded, np.random.rand(2, 4).astype("float32"))


def _trained(optimizer):
    dp.utils.set_random_seed(7)
    model = dp.Sequential([dp.layers.Dense(8, activation="relu", input_shape=(4,)),
                           dp.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.random((64, 4), dtype=np.float32)
    y = rng.integers(0, 3, 64)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False)
    return model, x, y


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd_momentum"])
def test_optimizer_state_lets_training_continue_exactly(tmp_path, optimizer):
    make = {"adam": lambda: dp.optimizers.Adam(0.01),
            "rmsprop": lambda: dp.optimizers.RMSprop(0.01),
            "sgd_momentum": lambda: dp.optimizers.SGD(0.1, momentum=0.9)}[optimizer]
    model, x, y = _trained(make())
    model.save(tmp_path / "t.keras")
    model.save(tmp_path / "t_noopt.keras", include_optimizer=False)
    loaded = dp.models.load_model(tmp_path / "t.keras")
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8
    fresh = dp.models.load_model(tmp_path / "t_noopt.keras")
    for m in (model, loaded, fresh):
        m.fit(x, y, epochs=1, batch_size=16, verbose=0, shuffle=False)
    for u, v in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(u, v)
    # Without the state the continuation differs: the test can tell.
    assert max(np.abs(u - v).max() for u, v in zip(model.get_weights(), fresh.get_weights())) > 1e-6


def test_compile_config_is_restored(tmp_path):
    model, x, y = _trained(dp.optimizers.Adam(0.003))
    model.save(tmp_path / "c.keras")
    config = json.loads(zipfile.ZipFile(tmp_path / "c.keras").read("config.json"))
    cc = config["compile_config"]
    assert cc["optimizer"]["class_name"] == "Adam"
    assert cc["optimizer"]["config"]["learning_rate"] == pytest.approx(0.003)
    assert cc["loss"] == "sparse_categorical_crossentropy" and cc["metrics"] == ["accuracy"]
    loaded = dp.models.load_model(tmp_path / "c.keras")
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0))
    uncompiled = dp.models.load_model(tmp_path / "c.keras", compile=False)
    assert not uncompiled.compiled


def test_lambda_loss_needs_opt_in_or_compile_false(tmp_path):
    model = dp.Sequential([dp.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss=lambda y, p: ((y - p) ** 2).mean())
    model.save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match="compile=False"):
        dp.models.load_model(tmp_path / "l.keras")
    assert not dp.models.load_model(tmp_path / "l.keras", compile=False).compiled
    loaded = dp.models.load_model(tmp_path / "l.keras", safe_mode=False)
    y, p = torch.ones(4, 1), torch.zeros(4, 1)
    assert float(loaded.loss(y, p)) == 1.0


def test_bad_paths_and_files(tmp_path):
    model = dp.Sequential([dp.layers.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match=r"\.keras.*save_weights"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save(tmp_path / "missing" / "m.keras")
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)
    (tmp_path / "junk.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a .keras file"):
        dp.models.load_model(tmp_path / "junk.keras")
    with pytest.raises(FileNotFoundError):
        dp.models.load_model(tmp_path / "nothing.keras")
    unbuilt = dp.Sequential([dp.layers.Dense(1)])
    with pytest.raises(ValueError, match="not built"):
        unbuilt.save(tmp_path / "u.keras")


def _leftovers(folder) -> list[str]:
    return [p for p in os.listdir(folder) if p.endswith(".tmp")]


def test_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    old = course_mlp()
    old.save(path)
    before = path.read_bytes()
    new = course_mlp()

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash halfway through the write")

    real = keras_file._optimizer_bytes
    monkeypatch.setattr(keras_file, "_optimizer_bytes", crash)  # after config + weights
    with pytest.raises(RuntimeError, match="simulated crash"):
        new.save(path)
    monkeypatch.setattr(keras_file, "_optimizer_bytes", real)

    # Crash inside the archive writer itself, after some members were written.
    original_writestr = zipfile.ZipFile.writestr

    def writestr(self, name, data, *args, **kwargs):
        if name == "model.weights.safetensors":
            raise OSError(28, "No space left on device")
        return original_writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    with pytest.raises(OSError, match="No space left.*intact"):
        new.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and not _leftovers(tmp_path)
    x = np.random.rand(3, 28, 28).astype("float32")
    _same_predictions(old, dp.models.load_model(path), x)


def test_killed_save_leaves_the_previous_file_loadable(tmp_path):
    path = tmp_path / "m.keras"
    old = course_mlp()
    old.save(path)
    before = path.read_bytes()
    script = textwrap.dedent(f"""
        import sys, time, zipfile
        import deepprob as dp
        original = zipfile.ZipFile.writestr
        def slow(self, name, data, *a, **k):
            original(self, name, data, *a, **k)
            if name == "config.json":
                self.fp.flush()
                print("HALFWAY", flush=True)
                time.sleep(60)
        zipfile.ZipFile.writestr = slow
        model = dp.Sequential([dp.layers.Flatten(input_shape=(28, 28)), dp.layers.Dense(3)])
        model.save({str(path)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "HALFWAY"
        assert _leftovers(tmp_path)  # the partial write is in a temporary file
        proc.kill()
    finally:
        proc.wait(timeout=30)
    assert path.read_bytes() == before
    _same_predictions(old, dp.models.load_model(path), np.random.rand(2, 28, 28).astype("f4"))


def test_unwritable_folder_gives_a_clear_error_and_loses_nothing(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    model = dp.Sequential([dp.layers.Dense(2, input_shape=(3,))])
    model.save(path)
    before = path.read_bytes()
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(PermissionError, match="not writable.*nothing was changed"):
        dp.Sequential([dp.layers.Dense(2, input_shape=(3,))]).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    if os.geteuid() != 0:  # root ignores folder permissions
        os.chmod(tmp_path, 0o500)
        try:
            with pytest.raises(PermissionError, match="not writable"):
                model.save(path)
        finally:
            os.chmod(tmp_path, 0o700)


def test_course_cnn_with_batchnorm_statistics_and_text_model(tmp_path):
    layers = dp.layers
    cnn = dp.Sequential([
        layers.Rescaling(1.0 / 255, input_shape=(12, 12, 1)),
        layers.Conv2D(8, (3, 3), activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2, 2),
        layers.Flatten(),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])
    cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = (np.random.rand(16, 12, 12, 1) * 255).astype("float32")
    cnn.fit(x, np.arange(16) % 10, epochs=1, batch_size=8, verbose=0)
    moving_mean = cnn.layers[2].get_weights()[2]
    assert np.abs(moving_mean).max() > 0  # training moved the statistics
    cnn.save(tmp_path / "cnn.keras")
    loaded = dp.models.load_model(tmp_path / "cnn.keras")
    np.testing.assert_array_equal(loaded.layers[2].get_weights()[2], moving_mean)
    _same_predictions(cnn, loaded, x[:4])

    text = dp.Sequential([layers.Embedding(50, 4, input_length=6),
                          layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    tokens = np.random.randint(0, 50, (3, 6))
    text.predict(tokens, verbose=0)  # built from data
    text.save(tmp_path / "text.keras")
    _same_predictions(text, dp.models.load_model(tmp_path / "text.keras"), tokens)
