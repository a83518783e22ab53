import numpy as np
from _cb_helpers import make_data, make_model

import deepprob as dp


def test_stops_when_the_validation_loss_is_nan(capsys):
    x, y = make_data()
    xv = x[:8].copy()
    xv[0, 0] = np.nan  # the validation loss becomes NaN; training stays finite
    model = make_model()
    cb = dp.callbacks.TerminateOnNaN()
    history = model.fit(x, y, epochs=5, verbose=0, validation_data=(xv, y[:8]), callbacks=[cb])
    assert history.epoch == [0] and cb.stopped_epoch == 0
    assert np.isnan(history.history["val_loss"][0])
    assert "invalid val_loss" in capsys.readouterr().out


def test_finite_runs_are_untouched():
    x, y = make_data()
    model = make_model()
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[dp.callbacks.TerminateOnNaN()])
    assert history.epoch == [0, 1, 2]
