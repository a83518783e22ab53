import numpy as np
import pytest
from _cb_helpers import Scripted, make_data, make_model

import deepprob as dp


def fit_scripted(values, key="val_loss", epochs=None, **kwargs):
    x, y = make_data()
    model = make_model()
    script = Scripted(key, values)
    stop = dp.callbacks.EarlyStopping(monitor=key, **kwargs)
    history = model.fit(x, y, epochs=epochs or len(values), batch_size=16, verbose=0,
                        callbacks=[script, stop])
    return model, script, stop, history


def test_stops_after_patience_epochs_without_improvement():
    # Keras's own test sequence: best at epoch 0, then two epochs without improvement.
    _, _, stop, history = fit_scripted([0.0860, 0.1096, 0.1040, 0.1019, 0.05, 0.04], patience=2)
    assert history.epoch == [0, 1, 2]
    assert stop.stopped_epoch == 2 and stop.best == pytest.approx(0.0860)


def test_min_delta_counts_small_gains_as_no_improvement():
    values = [1.0, 0.95, 0.92, 0.5, 0.4]
    _, _, stop, history = fit_scripted(values, patience=1, min_delta=0.1)
    assert history.epoch == [0, 1]  # 0.95 is not 0.1 better than 1.0
    _, _, _, history = fit_scripted(values, patience=1, min_delta=0.01)
    assert history.epoch == [0, 1, 2, 3, 4]


def test_max_mode_for_accuracy_and_auto_resolution():
    values = [0.5, 0.7, 0.6, 0.65, 0.9]
    _, _, stop, history = fit_scripted(values, key="val_accuracy", patience=2)
    assert stop._direction == "max" and history.epoch == [0, 1, 2, 3]
    assert stop.best == pytest.approx(0.7) and stop.best_epoch == 1
    with pytest.raises(ValueError, match="mode='min' or mode='max'"):
        dp.callbacks.EarlyStopping(monitor="val_something")
    with pytest.raises(ValueError, match="Did you mean 'max'"):
        dp.callbacks.EarlyStopping(mode="mx")


def test_restore_best_weights_gives_the_best_epochs_weights():
    values = [0.9, 0.5, 0.7, 0.8, 0.6, 0.65]
    model, script, stop, history = fit_scripted(values, patience=3, restore_best_weights=True)
    assert history.epoch == [0, 1, 2, 3, 4]  # stops at epoch 4: three epochs after the best
    final = model.get_weights()
    for got, want in zip(final, script.weights[1]):
        np.testing.assert_array_equal(got, want)
    assert not np.allclose(final[0], script.weights[4][0])  # training really moved on


def test_restore_best_weights_also_when_training_runs_to_the_end():
    values = [0.9, 0.3, 0.4, 0.5]
    model, script, stop, history = fit_scripted(values, patience=10, restore_best_weights=True)
    assert history.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 0
    for got, want in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(got, want)


def test_baseline_and_start_from_epoch():
    # Improvements that do not beat the baseline do not reset the patience counter.
    _, _, stop, history = fit_scripted([0.9, 0.8, 0.7, 0.6, 0.1], patience=2, baseline=0.5)
    assert history.epoch == [0, 1]
    # Epochs before start_from_epoch are not watched.
    _, _, stop, history = fit_scripted([0.1, 0.9, 0.9, 0.9, 0.9, 0.9], patience=1,
                                       start_from_epoch=2)
    assert history.epoch == [0, 1, 2, 3] and stop.best == pytest.approx(0.9)


def test_missing_monitor_warns_and_never_stops():
    x, y = make_data()
    model = make_model()
    with pytest.warns(UserWarning, match="val_loss.*not in the logs"):
        history = model.fit(x, y, epochs=3, verbose=0,
                            callbacks=[dp.callbacks.EarlyStopping(patience=0)])
    assert history.epoch == [0, 1, 2]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`patience`"):
        dp.callbacks.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="`monitor`"):
        dp.callbacks.EarlyStopping(monitor=3)
