"""Callbacks: hooks into ``fit`` / ``evaluate`` / ``predict`` with Keras's names and ``logs``.

Example (the courses' pattern, verbatim):
    >>> class StopAt99(dp.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs={}):
    ...         if logs.get("accuracy") > 0.99:
    ...             self.model.stop_training = True
"""

from deepprob.callbacks.backup_and_restore import BackupAndRestore
from deepprob.callbacks.base import Callback, CallbackList, LambdaCallback
from deepprob.callbacks.csv_logger import CSVLogger
from deepprob.callbacks.early_stopping import EarlyStopping
from deepprob.callbacks.history import History
from deepprob.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from deepprob.callbacks.model_checkpoint import ModelCheckpoint
from deepprob.callbacks.progbar import ProgbarLogger
from deepprob.callbacks.tensorboard import TensorBoard
from deepprob.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
    "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
    "ReduceLROnPlateau", "TensorBoard", "TerminateOnNaN",
]
