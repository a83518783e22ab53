"""``dp.applications``: Keras's pretrained architectures (same layer names, same parameter
counts) and Keras HDF5 weight-file loading.

``dp.applications.InceptionV3`` / ``MobileNetV2`` / ``ResNet50`` / ``VGG16`` build the networks;
the modules ``inception_v3``, ``mobilenet_v2``, ``resnet50``, ``vgg16`` hold each one's
``preprocess_input`` and ``decode_predictions``; ``load_keras_weights`` reads Keras ``.h5`` files.
"""

from deepprob._lazy import lazy_submodules

_EXPORTS = {
    "InceptionV3": "inception_v3",
    "MobileNetV2": "mobilenet_v2",
    "ResNet50": "resnet50",
    "VGG16": "vgg16",
    "load_keras_weights": "keras_h5",
}

_submodules = lazy_submodules(__name__, __path__, globals())


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    return _submodules(name)


__all__ = sorted(_EXPORTS) + ["imagenet_utils", "inception_v3", "keras_h5", "mobilenet_v2",
                              "resnet", "resnet50", "vgg16"]
