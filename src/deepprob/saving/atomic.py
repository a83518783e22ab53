"""Atomic file writes: a temporary file in the target folder, fsync, then ``os.replace``.

A crash, a kill or an error during the write leaves the previous file untouched (``os.replace``
swaps the name in one step); a failed write removes its temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["atomic_write", "check_target"]


def check_target(filepath, overwrite: bool = True, what: str = "file") -> str:
    """Validate a save target and return it as a string path.

    Raises a clear error when the folder is missing or not writable, when the path is a folder,
    or when the file exists and ``overwrite`` is False.

    Args:
        filepath: the target path.
        overwrite: whether an existing file may be replaced.
        what: what is being saved, for messages (``"model"``, ``"weights"``).
    """
    path = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"Cannot save the {what} to {path!r}: the folder {folder!r} does not exist. Create "
            "it first (os.makedirs(folder, exist_ok=True))."
        )
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot save the {what} to {path!r}: it is a folder.")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(
            f"Cannot save the {what} to {path!r}: the file exists and overwrite=False."
        )
    if not os.access(folder, os.W_OK):
        raise PermissionError(
            errno.EACCES,
            f"Cannot save the {what} to {path!r}: the folder {folder!r} is not writable "
            "(read-only or permission denied); nothing was changed",
            path,
        )
    return path


@contextlib.contextmanager
def atomic_write(filepath, what: str = "file") -> Iterator[BinaryIO]:
    """Open a temporary file beside ``filepath`` for binary writing; on success it replaces
    ``filepath`` atomically, on any error it is removed and ``filepath`` is left as it was.

    Args:
        filepath: the final path.
        what: what is being saved, for messages.

    Example:
        >>> with atomic_write("model.keras") as f:
        ...     f.write(b"...")
    """
    path = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.",
                                   suffix=".tmp")
    except FileNotFoundError:
        raise FileNotFoundError(
            f"Cannot save the {what} to {path!r}: the folder {folder!r} does not exist."
        ) from None
    except PermissionError:
        raise PermissionError(
            errno.EACCES,
            f"Cannot save the {what} to {path!r}: the folder {folder!r} is not writable "
            "(read-only or permission denied); nothing was changed", path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if os.path.exists(path):
            try:  # keep the permissions of the file being replaced
                os.chmod(tmp, os.stat(path).st_mode & 0o7777)
            except OSError:
                pass
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError) and err.errno == errno.ENOSPC:
            raise OSError(
                errno.ENOSPC,
                f"No space left on the device while saving the {what} to {path!r}; the previous "
                "file (if any) is intact", path) from err
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Persist the rename itself (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
