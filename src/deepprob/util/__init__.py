"""TensorFlow-Probability-style utilities (``tfp.util`` -> ``dp.util``).

Example:
    >>> import deepprob as dp
    >>> scale = dp.util.TransformedVariable(1.0, dp.bijectors.Softplus())
"""

from deepprob.util.transformed_variable import TransformedVariable

__all__ = ["TransformedVariable"]
