import pytest
from _cb_helpers import make_data, make_model

import deepprob as dp


class Recorder(dp.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append(("train_begin", dict(self.params)))

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch))

    def on_batch_end(self, batch, logs=None):  # the legacy alias of on_train_batch_end
        self.events.append(("batch_end", batch, round(logs["loss"], 6)))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.events.append(("train_end",))

    def on_test_begin(self, logs=None):
        self.events.append(("test_begin",))

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(("test_batch_end", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.events.append(("predict_batch_end", batch))


def test_hooks_run_in_keras_order_with_keras_arguments():
    x, y = make_data(32)
    model = make_model()
    rec = Recorder()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.5, callbacks=[rec])
    kinds = [e[0] for e in rec.events]
    assert kinds == ["train_begin", "epoch_begin", "batch_end", "epoch_end", "epoch_begin",
                     "batch_end", "epoch_end", "train_end"]
    assert rec.events[0][1] == {"epochs": 2, "steps": 1, "verbose": 0}
    assert rec.events[3][2] == ["loss", "val_loss"] and rec.model is model
    rec.events.clear()
    model.evaluate(x, y, batch_size=16, verbose=0, callbacks=[rec])
    model.predict(x, batch_size=16, verbose=0, callbacks=[rec])
    assert rec.events == [("test_begin",), ("test_batch_end", 0), ("test_batch_end", 1),
                          ("predict_batch_end", 0), ("predict_batch_end", 1)]


def test_course_pattern_stops_training():
    x, y = make_data()
    model = make_model()

    class Stop(dp.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):  # noqa: B006 (the courses write it so)
            if logs.get("loss") < 1e9:
                self.model.stop_training = True

    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[Stop()])
    assert history.epoch == [0]


def test_lambda_callback_and_lazy_batch_logs():
    x, y = make_data(64)
    model = make_model()
    losses, batches = [], []
    cb = dp.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]),
        on_batch_end=lambda batch, logs: batches.append(batch))
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])
    assert losses == history.history["loss"] and batches == [0, 1, 2, 3] * 2
    with pytest.raises(ValueError, match="Did you mean 'on_epoch_end'"):
        dp.callbacks.LambdaCallback(on_epoch_ned=print)

    made = []
    logs = dp.callbacks.base.LazyLogs(lambda: made.append(1) or {"loss": 0.5})
    assert made == [] and isinstance(logs, dict)
    assert logs.get("loss") == 0.5 and dict(logs) == {"loss": 0.5} and made == [1]


def test_non_callbacks_are_rejected():
    x, y = make_data()
    with pytest.raises(TypeError, match="position 1"):
        make_model().fit(x, y, verbose=0, callbacks=[dp.callbacks.History(), print])
