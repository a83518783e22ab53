"""``dp.applications.resnet50``: Keras's module name for ResNet50 and its helpers."""

from deepprob.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "preprocess_input", "decode_predictions"]
