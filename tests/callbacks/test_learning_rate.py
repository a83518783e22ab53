import math

import pytest
from _cb_helpers import Scripted, make_data, make_model

import deepprob as dp


def test_scheduler_sets_the_rate_and_history_records_it():
    x, y = make_data()
    model = make_model(optimizer=dp.optimizers.SGD(0.1))
    seen = []
    spy = dp.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(
        model.optimizer.torch_optimizer.param_groups[0]["lr"] if e else None))
    sched = dp.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 10 ** (epoch / 2))
    history = model.fit(x, y, epochs=4, verbose=0, callbacks=[sched, spy])
    want = [1e-3 * 10 ** (e / 2) for e in range(4)]
    assert history.history["learning_rate"] == pytest.approx(want)
    assert seen[1:] == pytest.approx(want[1:])  # the torch optimizer really uses it
    assert model.optimizer.learning_rate == pytest.approx(want[-1])


def test_two_argument_schedule_receives_the_current_rate():
    x, y = make_data()
    model = make_model(optimizer=dp.optimizers.SGD(0.08))
    calls = []

    def halve_after_two(epoch, lr):
        calls.append((epoch, lr))
        return lr if epoch < 2 else lr * 0.5

    history = model.fit(x, y, epochs=4, verbose=0,
                        callbacks=[dp.callbacks.LearningRateScheduler(halve_after_two)])
    assert history.history["learning_rate"] == pytest.approx([0.08, 0.08, 0.04, 0.02])
    assert [c[1] for c in calls] == pytest.approx([0.08, 0.08, 0.08, 0.04])


def test_errors_inside_the_schedule_are_not_hidden():
    x, y = make_data()
    model = make_model()

    def broken(epoch, lr):
        raise TypeError("bug in my schedule")

    with pytest.raises(TypeError, match="bug in my schedule"):
        model.fit(x, y, verbose=0, callbacks=[dp.callbacks.LearningRateScheduler(broken)])
    with pytest.raises(ValueError, match="finite float >= 0.*'fast'"):
        model.fit(x, y, verbose=0,
                  callbacks=[dp.callbacks.LearningRateScheduler(lambda e: "fast")])


def test_reduce_on_plateau_follows_keras_rules():
    x, y = make_data()
    model = make_model(optimizer=dp.optimizers.SGD(0.1))
    # best 1.0 at epoch 0; epochs 1, 2 do not improve -> reduce after epoch 2 (patience 2);
    # cooldown 2 (Keras counts the cooldown down before testing it, so the epoch after a
    # reduction is skipped by cooldown >= 2): epoch 3 is skipped, epochs 4, 5 do not improve
    # -> reduce after epoch 5, to min_lr.
    script = Scripted("val_loss", [1.0, 1.0, 1.2, 1.1, 1.3, 1.05, 0.5])
    reduce = dp.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2, min_lr=0.03)
    history = model.fit(x, y, epochs=7, verbose=0, callbacks=[script, reduce])
    assert history.history["learning_rate"] == pytest.approx(
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.03])
    assert math.isclose(model.optimizer.learning_rate, 0.03)
    with pytest.raises(ValueError, match=r"`factor`.*\(0, 1\)"):
        dp.callbacks.ReduceLROnPlateau(factor=1.5)
