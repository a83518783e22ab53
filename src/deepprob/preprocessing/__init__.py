"""Keras-style preprocessing: ``dp.preprocessing.text``, ``.sequence``, ``.image`` (loaded lazily)."""

from deepprob._lazy import lazy_submodules

__getattr__ = lazy_submodules(__name__, __path__, globals())
