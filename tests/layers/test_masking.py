"""Masking: the mask it emits, the zeroed steps, and its effect on a following LSTM."""

from __future__ import annotations

import numpy as np
import pytest
import rnn_reference as ref
import torch

import deepprob as dp
from deepprob.layers.masking import Masking
from deepprob.layers.recurrent import LSTM


def test_mask_and_zeroed_steps():
    x = torch.tensor([[[1.0, 2.0], [-1.0, -1.0], [0.0, -1.0]]])
    out = Masking(mask_value=-1.0)(x)
    assert out._keras_mask.tolist() == [[True, False, True]]
    torch.testing.assert_close(out, torch.tensor([[[1.0, 2.0], [0.0, 0.0], [0.0, -1.0]]]))


def test_masked_steps_are_skipped_by_lstm_in_a_model():
    x = np.random.default_rng(0).normal(size=(3, 5, 2)).astype(np.float32)
    x[0, :2] = 0.0  # pre-padding
    x[1, 3:] = 0.0  # post-padding
    model = dp.Sequential([Masking(), LSTM(4)])
    out = model(torch.from_numpy(x)).detach().numpy()
    weights = [w.astype(np.float64) for w in model.get_weights()]
    _, last, _ = ref.run(ref.lstm_step(weights), x, [np.zeros((3, 4))] * 2,
                         (x != 0).any(-1))
    np.testing.assert_allclose(out, last, atol=1e-5)
    # Padding changes nothing: the same rows without their padded steps give the same output.
    alone = model(torch.from_numpy(x[1:2, :3])).detach().numpy()
    np.testing.assert_allclose(out[1:2], alone, atol=1e-5)


def test_bad_mask_value():
    with pytest.raises(TypeError, match="mask_value"):
        Masking(mask_value="0")
