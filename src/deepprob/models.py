"""``dp.models``: model classes and (as they land) saving and loading."""

from deepprob.engine.model import Model
from deepprob.engine.sequential import Sequential

__all__ = ["Model", "Sequential"]
