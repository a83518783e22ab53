"""The courses' datasets (``dp.datasets.mnist.load_data()`` ...), one module each, loaded lazily.

Loaders read standard files from ``$DEEPPROB_DATA/<name>/`` or ``~/.deepprob/datasets/<name>/``;
small real samples are bundled in ``deepprob/datasets/_bundled`` (origins in ``_bundled/SOURCES.md``).
"""

from deepprob._lazy import lazy_submodules

__getattr__ = lazy_submodules(__name__, __path__, globals())
