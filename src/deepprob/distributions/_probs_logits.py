"""Shared handling of the ``logits`` / ``probs`` parameter pair of discrete distributions."""

from __future__ import annotations

import torch


def check_exactly_one(name: str, logits, probs) -> None:
    """Raise unless exactly one of ``logits`` and ``probs`` is given."""
    if (logits is None) == (probs is None):
        raise ValueError(f"{name}: pass exactly one of `logits` and `probs`; received "
                         f"logits={'None' if logits is None else 'given'}, "
                         f"probs={'None' if probs is None else 'given'}.")


class BinaryProbsLogits:
    """Mixin: ``probs``/``logits`` of a binary event (sigmoid link)."""

    def _logits(self) -> torch.Tensor:
        logits = self._value("logits")
        return torch.logit(self._value("probs")) if logits is None else logits

    def _probs(self) -> torch.Tensor:
        probs = self._value("probs")
        return torch.sigmoid(self._value("logits")) if probs is None else probs

    def logits_parameter(self) -> torch.Tensor:
        """The logits, computed from ``probs`` if those were given."""
        return self._logits()

    def probs_parameter(self) -> torch.Tensor:
        """The probabilities, computed from ``logits`` if those were given."""
        return self._probs()


class CategoricalProbsLogits:
    """Mixin: ``probs``/``logits`` over the last axis (softmax link)."""

    def _log_probs(self) -> torch.Tensor:
        logits = self._value("logits")
        if logits is None:
            return torch.log(self._value("probs"))
        return torch.log_softmax(logits, dim=-1)

    def _probs(self) -> torch.Tensor:
        probs = self._value("probs")
        return torch.softmax(self._value("logits"), dim=-1) if probs is None else probs

    def logits_parameter(self) -> torch.Tensor:
        """The logits (``log(probs)`` if probabilities were given)."""
        logits = self._value("logits")
        return torch.log(self._value("probs")) if logits is None else logits

    def probs_parameter(self) -> torch.Tensor:
        """The probabilities (softmax of the logits if those were given)."""
        return self._probs()

    def _num_categories(self) -> int:
        p = self._value("logits")
        return (self._value("probs") if p is None else p).shape[-1]
