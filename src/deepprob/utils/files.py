"""``get_file``: download a file once into a cache, verify its checksum, extract archives."""

from __future__ import annotations

import hashlib
import os
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path


def default_cache_dir() -> str:
    """``~/.deepprob``, or a temporary folder when the home folder is not writable."""
    home = os.path.join(os.path.expanduser("~"), ".deepprob")
    parent = os.path.dirname(home)
    if os.access(home if os.path.isdir(home) else parent, os.W_OK):
        return home
    return os.path.join(tempfile.gettempdir(), ".deepprob")


def hash_file(path, algorithm: str = "sha256", chunk_size: int = 1 << 20) -> str:
    """The hex digest of a file (``"sha256"`` or ``"md5"``).

    Args:
        path: the file.
        algorithm: ``"sha256"`` or ``"md5"``.
        chunk_size: bytes read at a time.

    Example:
        >>> dp.utils.files.hash_file("data.zip", "md5")
    """
    if algorithm not in ("sha256", "md5"):
        from deepprob._errors import unknown

        raise unknown("hash algorithm", algorithm, ["sha256", "md5"], argument="hash_algorithm")
    digest = hashlib.sha256() if algorithm == "sha256" else hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _algorithm(file_hash: str, hash_algorithm: str) -> str:
    if hash_algorithm == "auto":
        return "sha256" if len(file_hash) == 64 else "md5"
    if hash_algorithm not in ("sha256", "md5"):
        from deepprob._errors import unknown

        raise unknown("hash algorithm", hash_algorithm, ["auto", "sha256", "md5"],
                      argument="hash_algorithm")
    return hash_algorithm


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str = "auto", cache_dir=None,
             force_download: bool = False, progress: bool = True) -> str:
    """Download ``origin`` once into ``cache_dir/cache_subdir/fname`` and return its path.

    The file is reused when present (and matching ``file_hash``); a present file whose hash
    does not match is downloaded again; a download whose hash does not match is deleted and an
    error names the expected and received digests. Downloads go to a temporary file renamed
    into place, so an interrupted download never leaves a partial file under the final name.
    A progress bar (bytes, rate) is printed to stderr, redrawn at most 10 times a second.

    ``extract=True`` unpacks a zip or tar archive beside it (in ``cache_dir/cache_subdir``) and,
    as tf.keras 2 does (the courses build paths from ``os.path.dirname`` of the result), returns
    the archive's path. ``untar=True`` (legacy) downloads ``fname + ".tar.gz"``, extracts it and
    returns ``cache_dir/cache_subdir/fname``. Members that would land outside the folder
    (``../x``, absolute paths, links) are refused.

    Args:
        fname: file name in the cache (an absolute path is used as is); default: the last part
            of ``origin``'s path.
        origin: the URL (``https://``, ``http://``, ``file://``).
        untar: legacy: treat ``fname`` as a ``.tar.gz`` to extract.
        md5_hash: legacy: an MD5 digest (use ``file_hash``).
        file_hash: the expected SHA-256 or MD5 hex digest.
        cache_subdir: folder under ``cache_dir`` (an absolute path is used as is).
        hash_algorithm: ``"auto"`` (by digest length), ``"sha256"`` or ``"md5"``.
        extract: unpack the archive.
        archive_format: ``"auto"``, ``"zip"``, ``"tar"`` or a list of them.
        cache_dir: the cache root (default ``~/.deepprob``).
        force_download: download even when the file is present.
        progress: print the download progress bar.

    Example:
        >>> path = dp.utils.get_file("cats_and_dogs_filtered.zip",
        ...     origin="https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",
        ...     extract=True)
        >>> base_dir = os.path.join(os.path.dirname(path), "cats_and_dogs_filtered")
    """
    if not origin or not isinstance(origin, str):
        raise ValueError(f"Argument `origin` of get_file: expected a URL, received {origin!r}.")
    if fname is None:
        fname = os.path.basename(urllib.parse.urlparse(origin).path)
        if not fname:
            raise ValueError(
                f"Argument `fname` of get_file is required: the origin {origin!r} has no file "
                "name.")
    fname = os.fspath(fname)
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    algorithm = _algorithm(file_hash, hash_algorithm) if file_hash else None
    cache_dir = os.path.expanduser(os.fspath(cache_dir)) if cache_dir else default_cache_dir()
    datadir = os.path.join(cache_dir, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    untar_target = None
    if untar:
        untar_target = fname if os.path.isabs(fname) else os.path.join(datadir, fname)
        fpath = untar_target + ".tar.gz"
    else:
        fpath = fname if os.path.isabs(fname) else os.path.join(datadir, fname)
    folder = os.path.dirname(fpath)
    if folder:
        os.makedirs(folder, exist_ok=True)

    download = force_download or not os.path.exists(fpath)
    if not download and file_hash and hash_file(fpath, algorithm) != file_hash.lower():
        print(f"A local file was found at {fpath}, but its {algorithm} hash does not match the "
              "expected one; downloading it again.", file=sys.stderr)
        download = True
    if download:
        _download(origin, fpath, progress)
        if file_hash:
            got = hash_file(fpath, algorithm)
            if got != file_hash.lower():
                os.remove(fpath)
                raise ValueError(
                    f"get_file: the file downloaded from {origin} has {algorithm} {got}, but "
                    f"{file_hash.lower()} was expected: the download is corrupted or the origin "
                    "changed. The file was deleted.")
    if untar:
        if not os.path.exists(untar_target) or download:
            extract_archive(fpath, datadir, archive_format="tar")
        return untar_target
    if extract:
        extract_archive(fpath, datadir, archive_format=archive_format)
    return fpath


def _download(origin: str, fpath: str, progress: bool) -> None:
    folder = os.path.dirname(fpath) or "."
    fd, tmp = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=folder)
    if progress:
        print(f"Downloading data from {origin}", file=sys.stderr)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(origin, timeout=60)
            except urllib.error.HTTPError as err:
                raise OSError(f"URL fetch failure on {origin}: {err.code} -- {err.reason}") \
                    from err
            except (urllib.error.URLError, OSError) as err:
                reason = getattr(err, "reason", err)
                raise OSError(f"URL fetch failure on {origin}: {reason}") from err
            with response:
                total = response.headers.get("Content-Length") if hasattr(
                    response, "headers") else None
                total = int(total) if total and str(total).isdigit() else None
                bar = _ByteBar(total) if progress else None
                done = 0
                while True:
                    chunk = response.read(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                    if bar is not None:
                        bar.update(done)
                if bar is not None:
                    bar.update(done, final=True)
                if total is not None and done != total:
                    raise OSError(
                        f"URL fetch failure on {origin}: the download stopped after {done} of "
                        f"{total} bytes.")
        _default_mode(tmp)  # mkstemp makes it private (0600)
        os.replace(tmp, fpath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


class _ByteBar:
    """``12.3/45.6 MB [=======>......] 8.1 MB/s``, redrawn at most 10 times a second."""

    def __init__(self, total: int | None, stream=None):
        self.total, self.stream = total, stream or sys.stderr
        self.start = self.last = time.monotonic()

    def update(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.1:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        if self.total:
            width = 30
            filled = min(width, int(width * done / self.total))
            bar = "=" * max(filled - 1, 0) + (">" if filled < width else "=") \
                + "." * (width - filled)
            text = f"{_mb(done)}/{_mb(self.total)} MB [{bar}] {_mb(rate)} MB/s"
        else:
            text = f"{_mb(done)} MB {_mb(rate)} MB/s"
        live = getattr(self.stream, "isatty", lambda: False)()
        if live:
            self.stream.write("\r" + text + ("\n" if final else ""))
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def _formats(archive_format) -> list[str]:
    if archive_format == "auto":
        return ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    for f in archive_format:
        if f not in ("tar", "zip"):
            from deepprob._errors import unknown

            raise unknown("archive format", f, ["auto", "tar", "zip"], argument="archive_format")
    return list(archive_format)


def extract_archive(path, target: str, archive_format="auto") -> bool:
    """Extract a zip or tar archive into ``target`` safely; False when it is neither.

    Args:
        path: the archive.
        target: the destination folder.
        archive_format: ``"auto"``, ``"zip"``, ``"tar"`` or a list of them.

    Example:
        >>> dp.utils.files.extract_archive("data.tar.gz", "data")
    """
    root = Path(target).resolve()
    for fmt in _formats(archive_format):
        if fmt == "zip" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    _check_member(root, name, path)
                zf.extractall(root)
            return True
        if fmt == "tar" and tarfile.is_tarfile(path):
            with tarfile.open(path) as tf:
                for member in tf.getmembers():
                    _check_member(root, member.name, path)
                    if member.issym() or member.islnk():
                        _check_member(root, os.path.join(os.path.dirname(member.name),
                                                         member.linkname), path)
                if hasattr(tarfile, "data_filter"):  # Python >= 3.12 and recent patch releases
                    tf.extractall(root, filter="data")
                else:
                    tf.extractall(root)
            return True
    raise ValueError(
        f"get_file: cannot extract {os.fspath(path)!r}: it is not a "
        f"{' or '.join(_formats(archive_format))} archive (corrupted, or a different format).")


def _check_member(root: Path, name: str, archive) -> None:
    dest = (root / name).resolve()
    if dest != root and root not in dest.parents:
        raise ValueError(
            f"get_file: archive {os.fspath(archive)!r} holds {name!r}, which would be written "
            f"outside {root}; refusing to extract it.")


def _default_mode(path: str) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
