import numpy as np
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

import deepprob as dp


def png_stats(path):
    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    nonwhite = np.mean(np.any(img < 240, axis=-1))
    return img.shape, nonwhite


def test_history_panels_curves_and_png(tmp_path):
    logs = {"loss": [1.0, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.8],
            "val_loss": [1.1, 0.8, 0.7], "val_accuracy": [0.4, 0.6, 0.75]}
    fig = dp.plot.history(logs, path=tmp_path / "curves.png")
    assert len(fig.axes) == 2
    loss_ax = fig.axes[0]
    assert loss_ax.get_title() == "loss"
    train, val = loss_ax.get_lines()
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(train.get_ydata(), logs["loss"])
    np.testing.assert_array_equal(val.get_ydata(), logs["val_loss"])
    shape, nonwhite = png_stats(tmp_path / "curves.png")
    assert shape[0] > 200 and shape[1] > 2 * shape[0] * 0.9  # two panels side by side
    assert 0.01 < nonwhite < 0.6
    one = dp.plot.history(logs, metrics=["accuracy"])
    assert len(one.axes) == 1 and one.axes[0].get_title() == "accuracy"
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        dp.plot.history(logs, metrics=["acuracy"])


def test_history_from_a_real_fit(tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 2)).astype("float32")
    model = dp.Sequential([dp.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h = model.fit(x, x[:, :1], epochs=4, validation_split=0.25, verbose=0,
                  callbacks=[dp.callbacks.LearningRateScheduler(lambda e: 0.1 / (e + 1))])
    fig = dp.plot.history(h, path=tmp_path / "h.png")
    assert [ax.get_title() for ax in fig.axes] == ["loss", "mae", "learning_rate"]
    assert fig.axes[2].get_yscale() == "log" and len(fig.axes[2].get_lines()) == 1
    np.testing.assert_allclose(fig.axes[1].get_lines()[1].get_ydata(), h.history["val_mae"])


def test_images_grid_marks_wrong_predictions(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    labels = np.array([0, 1, 2, 3, 4, 5])
    probs = np.eye(10)[[0, 1, 7, 3, 4, 9]]  # images 2 and 5 are wrong
    names = dp.datasets.fashion_mnist.CLASS_NAMES
    fig = dp.plot.images(x, labels, probs, class_names=names, path=tmp_path / "grid.png")
    assert len(fig.axes) == 6
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[2] == "Sneaker (Pullover)" and titles[0] == "T-shirt/top (T-shirt/top)"
    red = to_rgba("red")
    wrong = [i for i, ax in enumerate(fig.axes) if to_rgba(ax.title.get_color()) == red]
    assert wrong == [2, 5]
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), x[1])
    shape, nonwhite = png_stats(tmp_path / "grid.png")
    assert min(shape[:2]) > 150 and nonwhite > 0.3
    assert len(dp.plot.images(x, max_images=4).axes) == 4
    with pytest.raises(ValueError, match="`x`: expected images"):
        dp.plot.images(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="`labels`: expected 6 entries"):
        dp.plot.images(x, labels[:3])


def test_confusion_matrix_counts_and_png(tmp_path):
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 0, 2, 2, 1, 2])
    want = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred):
        want[t, p] += 1
    np.testing.assert_array_equal(dp.plot.confusion_counts(y_true, y_pred), want)
    fig = dp.plot.confusion_matrix(y_true, np.eye(3)[y_pred], class_names=["a", "b", "c"],
                                   path=tmp_path / "cm.png")
    assert len(fig.axes) == 2  # the matrix and its colour bar
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), want)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in want.ravel()]
    assert ax.get_title().startswith(f"accuracy {6 / 9:.3f}")
    shape, nonwhite = png_stats(tmp_path / "cm.png")
    assert min(shape[:2]) > 200 and nonwhite > 0.05
    rows = dp.plot.confusion_matrix(y_true, y_pred, normalize="true").axes[0].images[0]
    np.testing.assert_allclose(rows.get_array(), want / want.sum(1, keepdims=True))
    with pytest.raises(ValueError, match="labels go up to 2"):
        dp.plot.confusion_matrix(y_true, y_pred, class_names=["a", "b"])


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "curves.png"
    dp.plot.history({"loss": [1.0, 0.5]}, path=path)
    before = path.read_bytes()
    from matplotlib.figure import Figure

    def broken(self, *args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        dp.plot.history({"loss": [2.0, 1.0]}, path=path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "curves.png"]
