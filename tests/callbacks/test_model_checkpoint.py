import os

import numpy as np
import pytest
from _cb_helpers import Scripted, make_data, make_model

import deepprob as dp


def test_filenames_are_formatted_from_epoch_and_logs(tmp_path):
    x, y = make_data()
    model = make_model()
    pattern = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.2f}.weights.h5")
    script = Scripted("val_loss", [0.5, 0.25, 1.0])
    ckpt = dp.callbacks.ModelCheckpoint(pattern, save_weights_only=True)
    model.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[script, ckpt])
    assert sorted(os.listdir(tmp_path / "ckpt")) == [
        "01-0.50.weights.h5", "02-0.25.weights.h5", "03-1.00.weights.h5"]
    # Each file holds that epoch's weights.
    restored = make_model(seed=5)
    restored.load_weights(str(tmp_path / "ckpt" / "02-0.25.weights.h5"))
    for got, want in zip(restored.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(got, want)


def test_save_best_only_keeps_the_best_epoch(tmp_path):
    x, y = make_data()
    model = make_model()
    path = str(tmp_path / "best.keras")
    script = Scripted("val_loss", [0.9, 0.4, 0.6, 0.3, 0.5])
    ckpt = dp.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    saves = []
    spy = dp.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: saves.append(len(ckpt.saved)))
    model.fit(x, y, epochs=5, verbose=0, validation_split=0.25, callbacks=[script, ckpt, spy])
    assert saves == [1, 2, 2, 3, 3]  # saved at epochs 0, 1 and 3 only
    assert ckpt.best == pytest.approx(0.3)
    loaded = dp.models.load_model(path)
    for got, want in zip(loaded.get_weights(), script.weights[3]):
        np.testing.assert_array_equal(got, want)


def test_max_mode_and_threshold(tmp_path):
    x, y = make_data()
    model = make_model()
    script = Scripted("val_accuracy", [0.5, 0.8, 0.7])
    ckpt = dp.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_accuracy",
                                        save_best_only=True, initial_value_threshold=0.6)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[script, ckpt])
    assert ckpt.saved == [str(tmp_path / "m.keras")] and ckpt.best == pytest.approx(0.8)


def test_save_every_n_batches_names_the_batch(tmp_path):
    x, y = make_data(64)
    model = make_model()
    ckpt = dp.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.weights.h5"),
                                        save_weights_only=True, save_freq=3)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[ckpt])  # 4 batches / epoch
    assert [os.path.basename(p) for p in ckpt.saved] == [
        "e1-b3.weights.h5", "e2-b2.weights.h5"]


def test_bad_paths_are_explained(tmp_path):
    with pytest.raises(ValueError, match="must end in `.keras`.*save_weights_only"):
        dp.callbacks.ModelCheckpoint("model.h5")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        dp.callbacks.ModelCheckpoint("model.keras", save_weights_only=True)
    x, y = make_data()
    model = make_model()
    ckpt = dp.callbacks.ModelCheckpoint(str(tmp_path / "{epoch}-{val_acc:.2f}.keras"))
    with pytest.raises(KeyError, match="val_acc"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[ckpt])
