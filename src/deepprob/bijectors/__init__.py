"""TensorFlow-Probability-style bijectors (``tfp.bijectors`` -> ``dp.bijectors``).

Every bijector is a trainable ``torch.nn.Module`` with TFP's methods: ``forward``, ``inverse``,
``forward_log_det_jacobian(x, event_ndims)``, ``inverse_log_det_jacobian(y, event_ndims)``,
``forward_event_shape`` / ``inverse_event_shape``; calling one on a distribution gives the
``TransformedDistribution``. See :class:`Bijector` for writing your own.

Example:
    >>> import deepprob as dp, torch
    >>> b = dp.bijectors.Chain([dp.bijectors.Shift(1.0), dp.bijectors.Exp()])
    >>> b.forward(torch.tensor([0.0]))
    tensor([2.])
"""

from deepprob.bijectors.affine import Identity, Scale, ScaleMatvecDiag, ScaleMatvecTriL, Shift
from deepprob.bijectors.batch_normalization import BatchNormalization
from deepprob.bijectors.bijector import Bijector
from deepprob.bijectors.blockwise import Blockwise
from deepprob.bijectors.chain import Chain
from deepprob.bijectors.elementwise import (
    Exp,
    Power,
    Reciprocal,
    Sigmoid,
    Softplus,
    Square,
    Tanh,
)
from deepprob.bijectors.invert import Invert, Log
from deepprob.bijectors.reshape import Permute, Reshape
from deepprob.bijectors.triangular import (
    CholeskyOuterProduct,
    FillScaleTriL,
    FillTriangular,
    TransformDiagonal,
)

__all__ = [
    "BatchNormalization", "Bijector", "Blockwise", "Chain", "CholeskyOuterProduct", "Exp",
    "FillScaleTriL", "FillTriangular", "Identity", "Invert", "Log", "Permute", "Power",
    "Reciprocal", "Reshape", "Scale", "ScaleMatvecDiag", "ScaleMatvecTriL", "Shift", "Sigmoid",
    "Softplus", "Square", "Tanh", "TransformDiagonal",
]

# normalizing flows (MADE/MAF, RealNVP, spline flows)
from deepprob.bijectors.autoregressive import AutoregressiveNetwork, MaskedAutoregressiveFlow  # noqa: E402
from deepprob.bijectors.real_nvp import RealNVP, real_nvp_default_template  # noqa: E402
from deepprob.bijectors.spline import RationalQuadraticSpline  # noqa: E402

__all__ += ["AutoregressiveNetwork", "MaskedAutoregressiveFlow", "RationalQuadraticSpline",
            "RealNVP", "real_nvp_default_template"]
