import copy

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.engine import trainer
from deepprob.engine.trainer import NonFiniteLossError


def linear_model():
    model = dp.Sequential([dp.layers.Dense(1, input_shape=(1,))])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    return model


def test_single_dense_learns_a_line_and_predicts_19():
    xs = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0], dtype=float)
    ys = 2 * xs - 1
    model = linear_model()
    model.fit(xs, ys, epochs=500, verbose=0)
    assert model.predict(np.array([10.0]), verbose=0)[0, 0] == pytest.approx(19.0, abs=0.1)


def test_course_mnist_classifier_reaches_90_percent_on_held_out_digits():
    x, y = dp.datasets.mnist.load_sample()
    x = x.astype("float32") / 255.0
    model = dp.Sequential([
        dp.layers.Flatten(input_shape=(28, 28)),
        dp.layers.Dense(128, activation="relu"),
        dp.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[:5000], y[:5000], epochs=5, verbose=0)
    assert set(history.history) == {"loss", "accuracy"} and len(history.history["loss"]) == 5
    loss, acc = model.evaluate(x[5000:], y[5000:], verbose=0)
    assert acc >= 0.90
    predicted = model.predict(x[5000:], verbose=0)
    assert isinstance(predicted, np.ndarray) and predicted.shape == (1000, 10)
    assert np.mean(predicted.argmax(1) == y[5000:]) == pytest.approx(acc, abs=1e-6)


def test_history_and_validation_split_uses_last_fraction():
    x = np.random.rand(100, 3).astype("float32")
    y = (x.sum(1, keepdims=True) > 1.5).astype("float32")
    model = dp.Sequential([dp.layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    val_loss, val_acc = model.evaluate(x[80:], y[80:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-5)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_acc, rel=1e-6)
    assert history.epoch == [0, 1]


def test_loss_matches_hand_computation_with_sample_weights():
    model = linear_model()
    model.set_weights([np.array([[2.0]], "float32"), np.array([0.5], "float32")])
    x = np.array([[0.0], [1.0], [2.0]], "float32")
    y = np.array([[1.0], [1.0], [1.0]], "float32")
    sw = np.array([1.0, 0.0, 3.0], "float32")
    errors = ((2 * x + 0.5) - y) ** 2
    expected = float((errors[:, 0] * sw).sum() / 3)
    assert model.evaluate(x, y, sample_weight=sw, verbose=0) == pytest.approx(expected, rel=1e-6)
    assert model.test_on_batch(x, y) == pytest.approx(float(errors.mean()), rel=1e-6)


def test_class_weight_scales_each_sample_loss():
    model = dp.Sequential([dp.layers.Dense(2, activation="softmax", input_shape=(2,))])
    model.compile(optimizer=dp.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy")
    x = np.random.rand(4, 2).astype("float32")
    y = np.array([0, 1, 1, 0])
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(probs[np.arange(4), y])
    weights = np.where(y == 1, 3.0, 1.0)
    loss = model.train_on_batch(x, y, class_weight={0: 1.0, 1: 3.0})
    assert loss == pytest.approx(float((per_sample * weights).mean()), rel=1e-5)


def test_added_losses_join_the_objective():
    class L1Activity(dp.layers.Layer):
        def call(self, x):
            self.add_loss(0.5 * x.abs().mean())
            return x

    model = dp.Sequential([dp.layers.Dense(2, input_shape=(3,)), L1Activity()])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.rand(8, 3).astype("float32")
    y = np.zeros((8, 2), "float32")
    out = model.predict(x, batch_size=8, verbose=0)
    expected = float((out ** 2).mean() + 0.5 * np.abs(out).mean())
    assert model.evaluate(x, y, batch_size=8, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_generator_input_with_steps_per_epoch():
    def batches():
        rng = np.random.default_rng(0)
        while True:
            x = rng.random((16, 1)).astype("float32")
            yield x, 3 * x + 1

    model = dp.Sequential([dp.layers.Dense(1, input_shape=(1,))])
    model.compile(optimizer=dp.optimizers.SGD(0.3), loss="mse")
    history = model.fit(batches(), steps_per_epoch=20, epochs=10, verbose=0)
    assert history.history["loss"][-1] < 0.01
    kernel, bias = model.get_weights()
    assert kernel[0, 0] == pytest.approx(3.0, abs=0.3) and bias[0] == pytest.approx(1.0, abs=0.2)


def test_callback_can_stop_training_the_course_way():
    class StopEarly(dp.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):  # noqa: B006 - the course writes it so
            if logs.get("loss") < 1e9:
                self.model.stop_training = True

    model = linear_model()
    history = model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=10, callbacks=[StopEarly()],
                        verbose=0)
    assert history.epoch == [0]


def test_seed_makes_runs_repeatable():
    def run():
        dp.utils.set_random_seed(7)
        model = dp.Sequential([dp.layers.Dense(4, activation="relu", input_shape=(3,)),
                               dp.layers.Dropout(0.5), dp.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        x = np.random.rand(64, 3).astype("float32")
        model.fit(x, x.sum(1), epochs=2, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_evaluate_return_dict_and_predict_on_batch():
    model = dp.Sequential([dp.layers.Dense(3, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
    x = np.random.rand(10, 2).astype("float32")
    y = np.random.randint(0, 3, 10)
    logs = model.evaluate(x, y, return_dict=True, verbose=0)
    assert set(logs) == {"loss", "acc"}
    probs = model.predict_on_batch(x)
    assert logs["acc"] == pytest.approx(float(np.mean(probs.argmax(1) == y)))


# -- bad input -----------------------------------------------------------------------------------
def test_fit_before_compile():
    model = dp.Sequential([dp.layers.Dense(1, input_shape=(1,))])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.ones((2, 1)), np.ones((2, 1)))


def test_x_and_y_lengths_must_match():
    with pytest.raises(ValueError, match="x with 5 samples and y with 4"):
        linear_model().fit(np.ones((5, 1)), np.ones((4, 1)), verbose=0)


def test_labels_outside_the_output_range():
    model = dp.Sequential([dp.layers.Dense(3, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"\[0, 2\].*from 0 to 5"):
        model.fit(np.ones((4, 2)), np.array([0, 1, 2, 5]), verbose=0)


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5])
def test_validation_split_range(split):
    with pytest.raises(ValueError, match=r"validation_split.*\[0, 1\)"):
        linear_model().fit(np.ones((4, 1)), np.ones((4, 1)), validation_split=split, verbose=0)


def test_empty_data():
    with pytest.raises(ValueError, match="empty"):
        linear_model().fit(np.ones((0, 1)), np.ones((0, 1)), verbose=0)


def test_nan_targets_are_rejected():
    with pytest.raises(ValueError, match="NaN.*sample 2"):
        linear_model().fit(np.ones((4, 1)), np.array([[1.0], [2.0], [np.nan], [1.0]]), verbose=0)


def test_target_check_inf_and_overflowing_sum():
    # the check sums the targets first: an inf is still found (and located), and finite targets
    # whose float32 sum overflows are accepted (the exact per-entry check decides).
    with pytest.raises(ValueError, match="infinite.*sample 1"):
        linear_model().fit(np.ones((3, 1), np.float32),
                           np.array([[1.0], [-np.inf], [1.0]], np.float32), verbose=0)
    big = torch.full((4, 1), 3e38)
    assert not torch.isfinite(big.sum())
    trainer._check_targets(big, "y")  # no error: every entry is finite


def test_non_finite_loss_stops_with_epoch_batch_and_keeps_finite_weights():
    class Blowup(dp.layers.Layer):
        def call(self, x):
            self.add_loss(torch.where(x.sum() > 10, torch.tensor(float("nan")), torch.tensor(0.0)))
            return x

    model = dp.Sequential([Blowup(input_shape=(1,)), dp.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.concatenate([np.zeros((8, 1)), np.full((4, 1), 5.0)]).astype("float32")
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, batch 3.*add_loss"):
        model.fit(x, np.zeros((12, 1)), batch_size=4, shuffle=False, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_unknown_loss_and_optimizer_strings():
    model = dp.Sequential([dp.layers.Dense(1, input_shape=(1,))])
    with pytest.raises(ValueError, match="adam"):
        model.compile(optimizer="adma", loss="mse")
    with pytest.raises(ValueError, match="mse"):
        model.compile(optimizer="adam", loss="mse_typo")


def test_validation_freq_and_initial_epoch():
    x = np.random.rand(40, 2).astype("float32")
    model = dp.Sequential([dp.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, x.sum(1), epochs=5, initial_epoch=1, validation_data=(x, x.sum(1)),
                        validation_freq=2, verbose=0)
    assert history.epoch == [1, 2, 3, 4]
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2


def test_steps_per_epoch_on_arrays_continues_through_the_data():
    x = np.arange(10, dtype="float32")[:, None]
    seen = []

    class Record(dp.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    model = dp.Sequential([dp.layers.Dense(1, input_shape=(1,))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, x, batch_size=4, epochs=2, steps_per_epoch=2, shuffle=False, verbose=0,
              callbacks=[Record()])
    assert seen == [0, 1, 0, 1]


def test_device_selection():
    dp.config.set_device("cpu")
    try:
        assert dp.config.get_device().type == "cpu"
        with pytest.raises(ValueError, match="device"):
            dp.config.set_device("not-a-device")
        if not torch.cuda.is_available():
            with pytest.raises(ValueError, match="CUDA is not available"):
                dp.config.set_device("cuda")
    finally:
        dp.config.set_device(None)


def test_jit_compile_matches_eager():
    x = np.random.rand(64, 3).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32")
    results = []
    for jit in (False, True):
        dp.utils.set_random_seed(3)
        model = dp.Sequential([dp.layers.Dense(4, activation="tanh", input_shape=(3,)),
                               dp.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse", jit_compile=jit)
        model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
        results.append(model.predict(x, verbose=0))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-4, atol=1e-5)


def test_jit_compile_compiles_once_and_keeps_added_losses():
    # A per-call counter inside torch.compile's view made every step recompile (and fall back to
    # eager after 8); the activity-regularizer loss must still reach the objective and `losses`.
    from torch._dynamo.utils import counters

    x = np.random.rand(64, 3).astype("float32")
    y = x.sum(1, keepdims=True)
    histories = []
    for jit in (False, True):
        torch._dynamo.reset()
        counters.clear()
        dp.utils.set_random_seed(5)
        model = dp.Sequential([dp.layers.Dense(4, input_shape=(3,),
                                               activity_regularizer=dp.regularizers.L2(0.5)),
                               dp.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse", jit_compile=jit)
        histories.append(model.fit(x, y, epochs=3, batch_size=8, shuffle=False,
                                   verbose=0).history)
    assert counters["stats"]["unique_graphs"] <= 2, dict(counters["stats"])  # train (+ eval)
    # the same objective, penalty included ("regularization" is logged apart only when present)
    np.testing.assert_allclose(histories[1]["loss"], histories[0]["loss"], rtol=1e-5)
    assert set(histories[1]) == set(histories[0])
    # `losses` right after a compiled call: exactly that call's activity penalty
    xb = torch.from_numpy(x[:8])
    with torch.no_grad():
        expected = float(0.5 * (model.layers[0].call(xb) ** 2).sum() / 8)
    model._forward(xb, True)  # the compiled forward, then its losses adopted
    assert len(model.losses) == 1
    assert abs(float(model.losses[0].detach()) - expected) < 1e-5


def test_jit_compile_of_many_models_in_one_process_stays_compiled():
    # Dynamo's cache and its recompile limit (8) are per code object: each model compiles
    # through a code object of its own, so the ninth and tenth models are compiled too.
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    x = np.random.rand(32, 3).astype("float32")
    y = x @ np.array([[1.0], [-1.0], [2.0]], "float32")
    for width in range(2, 12):  # ten different architectures
        model = dp.Sequential([dp.layers.Dense(width, activation="tanh", input_shape=(3,)),
                               dp.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse", jit_compile=True)
        model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert counters["stats"]["unique_graphs"] == 10, dict(counters["stats"])
    # a deep copy compiles its own forward (not a closure over the original)
    clone = copy.deepcopy(model)
    with torch.no_grad():
        clone.layers[1].bias.add_(1.0)
    xb = torch.from_numpy(x[:4])
    np.testing.assert_allclose(clone._forward(xb, False).detach().numpy(),
                               model._forward(xb, False).detach().numpy() + 1.0, rtol=1e-5)


def test_endless_iterator_with_len_runs_len_batches_per_epoch():
    class Endless:
        def __init__(self):
            self.calls = 0

        def __iter__(self):
            return self

        def __len__(self):
            return 3

        def __next__(self):
            self.calls += 1
            x = np.ones((4, 2), "float32")
            return x, x.sum(1)

    data = Endless()
    model = dp.Sequential([dp.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(data, epochs=2, verbose=0)
    assert data.calls == 6
