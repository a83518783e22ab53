import os

import numpy as np
import pytest
from _cb_helpers import make_data, make_model

import deepprob as dp

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def load(folder):
    acc = event_accumulator.EventAccumulator(str(folder), size_guidance={
        event_accumulator.HISTOGRAMS: 0, event_accumulator.SCALARS: 0})
    acc.Reload()
    return acc


def scalars(acc, tag):
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def test_epoch_scalars_train_and_validation_runs(tmp_path):
    x, y = make_data()
    model = make_model(metrics=["mae"])
    sched = dp.callbacks.LearningRateScheduler(lambda e: 0.01 / (e + 1))
    tb = dp.callbacks.TensorBoard(tmp_path, histogram_freq=1)
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[sched, tb])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = load(tmp_path / "train"), load(tmp_path / "validation")
    h = history.history
    for tag, key in (("epoch_loss", "loss"), ("epoch_mae", "mae"),
                     ("epoch_learning_rate", "learning_rate")):
        got = scalars(train, tag)
        assert [s for s, _ in got] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in got], h[key], rtol=1e-6)
    for key in ("loss", "mae"):
        np.testing.assert_allclose([v for _, v in scalars(val, f"epoch_{key}")], h[f"val_{key}"],
                                   rtol=1e-6)
    steps = [s for s, _ in scalars(val, "evaluation_loss_vs_iterations")]
    assert steps == [2, 4, 6]  # 48 training samples, batch 32: 2 steps per epoch
    # Weight histograms tagged by Keras path, equal to the weights at that epoch.
    tags = train.Tags()["histograms"]
    names = [layer.name for layer in model.layers]
    assert sorted(tags) == sorted(f"{n}/{w}" for n in names for w in ("kernel", "bias"))
    kernel = model.layers[0].get_weights()[0]
    last = train.Histograms(f"{names[0]}/kernel")[-1]
    assert last.step == 2 and last.histogram_value.num == kernel.size
    assert last.histogram_value.min == pytest.approx(kernel.min(), rel=1e-6)
    assert last.histogram_value.sum == pytest.approx(kernel.sum(), rel=1e-4, abs=1e-5)


def test_batch_scalars_and_graph(tmp_path):
    x, y = make_data(64)
    model = make_model()
    tb = dp.callbacks.TensorBoard(tmp_path, update_freq=2, write_graph=True)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[tb])
    train = load(tmp_path / "train")
    assert [s for s, _ in scalars(train, "batch_loss")] == [2, 4, 6, 8]
    assert train.Graph() is not None  # traced graph for the Graphs tab
    assert "model_summary/text_summary" in train.Tags()["tensors"]
    assert not os.path.exists(tmp_path / "validation")  # no validation data, no run


def test_bad_arguments():
    with pytest.raises(ValueError, match="`histogram_freq`"):
        dp.callbacks.TensorBoard("logs", histogram_freq=-1)
    with pytest.raises(ValueError, match="`update_freq`"):
        dp.callbacks.TensorBoard("logs", update_freq="often")
