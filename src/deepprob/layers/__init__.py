"""All layers in one namespace (Keras layers and TFP's probabilistic layers), as ``dp.layers.X``."""

from deepprob.engine.input_layer import Input, InputLayer
from deepprob.engine.layer import InputSpec, Layer
from deepprob.layers.convolutional import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Convolution1D,
    Convolution2D,
    Convolution2DTranspose,
    Convolution3D,
    DepthwiseConv2D,
    SeparableConv2D,
)
from deepprob.layers.core import (
    Activation,
    Dense,
    Dropout,
    Flatten,
    Identity,
    Lambda,
    Permute,
    RepeatVector,
    Reshape,
)
from deepprob.layers.embedding import Embedding
from deepprob.layers.masking import Masking
from deepprob.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from deepprob.layers.normalization import BatchNormalization, LayerNormalization, UnitNormalization
from deepprob.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from deepprob.layers.preprocessing_basic import Rescaling
from deepprob.layers.preprocessing_image import (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from deepprob.layers.probabilistic import (
    CategoricalMixtureOfOneHotCategorical,
    Convolution1DFlipout,
    Convolution1DReparameterization,
    Convolution2DFlipout,
    Convolution2DReparameterization,
    DenseFlipout,
    DenseLocalReparameterization,
    DenseReparameterization,
    DenseVariational,
    DistributionLambda,
    IndependentBernoulli,
    IndependentLogistic,
    IndependentNormal,
    IndependentPoisson,
    KLDivergenceAddLoss,
    KLDivergenceRegularizer,
    MixtureLogistic,
    MixtureNormal,
    MixtureSameFamily,
    MultivariateNormalTriL,
    OneHotCategorical,
    VariableLayer,
    default_loc_scale_fn,
    default_mean_field_normal_fn,
    default_multivariate_normal_fn,
    posterior_mean_field,
    posterior_multivariate_normal_tril,
    prior_standard_normal,
    prior_trainable,
)
from deepprob.layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell
from deepprob.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from deepprob.layers.text_vectorization import TextVectorization
from deepprob.layers.wrappers import Bidirectional, TimeDistributed

MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D

__all__ = [name for name in dir() if not name.startswith("_") and name[0].isupper()
           or name in ("add", "average", "concatenate", "dot", "maximum", "minimum", "multiply",
                       "subtract") or name.startswith(("default_", "posterior_", "prior_"))]
