import os

import numpy as np
import pytest
import torch
from _cb_helpers import make_data, make_model

import deepprob as dp


class Killer(dp.callbacks.Callback):
    """Raises in the middle of epoch ``epoch`` (0-based), like a crash or a pre-emption."""

    def __init__(self, epoch: int, batch: int = 1):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            raise KeyboardInterrupt("killed")


def run(epochs, callbacks, seed=0, model=None):
    """Seeded model + fit with Adam, dropout and shuffling (both draw random numbers)."""
    x, y = make_data(96)
    if model is None:
        model = make_model(optimizer=dp.optimizers.Adam(0.01), dropout=0.3, seed=seed)
        dp.utils.set_random_seed(seed + 100)  # the fit's own randomness
    history = model.fit(x, y, epochs=epochs, batch_size=16, shuffle=True, verbose=0,
                        validation_split=0.25, callbacks=callbacks)
    return model, history


def test_killed_fit_resumes_and_ends_with_the_uninterrupted_weights(tmp_path):
    reference, ref_history = run(6, [])

    backup = dp.callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        run(6, [Killer(epoch=3), backup])
    assert os.path.isfile(backup.backup_path)  # epochs 0, 1, 2 finished and backed up
    state = torch.load(backup.backup_path, weights_only=True)
    assert state["epoch"] == 2 and state["optimizer"]["iterations"] == 3 * 5

    # A fresh process: a new model from another seed, other global random state.
    resumed, history = run(6, [backup], seed=7)
    assert backup.restored_epoch == 2 and history.epoch == [3, 4, 5]
    for got, want in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(history.history["loss"], ref_history.history["loss"][3:],
                               rtol=0, atol=0)
    assert resumed.optimizer.iterations == reference.optimizer.iterations == 6 * 5
    assert not os.path.exists(backup.backup_path)  # deleted once training completed


def test_without_the_random_state_the_resumed_run_would_differ(tmp_path):
    """Control: restoring weights and optimizer alone does not reproduce the run (dropout and
    shuffling draw different numbers), so the test above really checks the RNG restore."""
    reference, _ = run(6, [])
    backup = dp.callbacks.BackupAndRestore(tmp_path / "b")
    with pytest.raises(KeyboardInterrupt):
        run(6, [Killer(epoch=3), backup])
    from deepprob.callbacks import backup_and_restore as bar

    original = bar._set_rng_state
    bar._set_rng_state = lambda state: None
    try:
        resumed, _ = run(6, [backup], seed=7)
    finally:
        bar._set_rng_state = original
    assert not np.allclose(resumed.get_weights()[0], reference.get_weights()[0])


def test_same_model_object_resumes_too_and_keeps_backup_when_asked(tmp_path):
    reference, _ = run(5, [])
    backup = dp.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    model = make_model(optimizer=dp.optimizers.Adam(0.01), dropout=0.3, seed=0)
    dp.utils.set_random_seed(100)
    with pytest.raises(KeyboardInterrupt):
        run(5, [Killer(epoch=1, batch=3), backup], model=model)
    _, history = run(5, [backup], model=model)
    assert history.epoch == [1, 2, 3, 4]
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)
    assert os.path.isfile(backup.backup_path)
    # A backup of the last epoch: another fit has nothing left to do.
    _, history = run(5, [backup], model=model)
    assert history.epoch == []


def test_backup_write_is_atomic(tmp_path, monkeypatch):
    backup = dp.callbacks.BackupAndRestore(tmp_path)
    run(2, [dp.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)])
    before = open(backup.backup_path, "rb").read()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        run(4, [backup], seed=3)
    assert open(backup.backup_path, "rb").read() == before
    assert sorted(os.listdir(tmp_path)) == ["backup.pt"]  # no temporary file left behind


def test_unbuilt_model_and_foreign_backup_are_explained(tmp_path):
    run(2, [dp.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)])
    lazy = dp.Sequential([dp.layers.Dense(4), dp.layers.Dense(1)])
    lazy.compile(optimizer="sgd", loss="mse")
    x, y = make_data()
    with pytest.raises(ValueError, match="not built"):
        lazy.fit(x, y, verbose=0, callbacks=[dp.callbacks.BackupAndRestore(tmp_path)])
    other = dp.Sequential([dp.layers.Dense(5, input_shape=(3,)), dp.layers.Dense(1)])
    other.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="does not fit model"):
        other.fit(x, y, verbose=0, callbacks=[dp.callbacks.BackupAndRestore(tmp_path)])
    with pytest.raises(ValueError, match="`save_freq`"):
        dp.callbacks.BackupAndRestore(tmp_path, save_freq=0)
