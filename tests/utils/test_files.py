import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from deepprob.utils.files import extract_archive, get_file, hash_file


@pytest.fixture
def origin(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    payload = os.urandom(200_000)
    (src / "blob.bin").write_bytes(payload)
    return src, payload


def test_download_cache_and_hashes(tmp_path, origin, capsys):
    src, payload = origin
    sha = hashlib.sha256(payload).hexdigest()
    md5 = hashlib.md5(payload).hexdigest()
    url = (src / "blob.bin").as_uri()
    path = get_file(origin=url, file_hash=sha, cache_dir=tmp_path / "cache")
    assert path == str(tmp_path / "cache" / "datasets" / "blob.bin")
    assert open(path, "rb").read() == payload
    assert "Downloading data from" in capsys.readouterr().err
    assert hash_file(path) == sha and hash_file(path, "md5") == md5
    # Cached: a second call does not download (the origin is gone).
    (src / "blob.bin").rename(src / "moved.bin")
    assert get_file("blob.bin", url, md5_hash=md5, cache_dir=tmp_path / "cache") == path
    assert "Downloading" not in capsys.readouterr().err
    # A cached file with the wrong hash is downloaded again (and fails: origin gone).
    with open(path, "ab") as f:
        f.write(b"x")
    with pytest.raises(OSError, match="URL fetch failure"):
        get_file("blob.bin", url, file_hash=sha, cache_dir=tmp_path / "cache")


def test_wrong_hash_deletes_the_download(tmp_path, origin):
    src, _ = origin
    with pytest.raises(ValueError, match="sha256 .* but f{64} was expected"):
        get_file("b.bin", (src / "blob.bin").as_uri(), file_hash="f" * 64,
                 cache_dir=tmp_path / "c")
    assert os.listdir(tmp_path / "c" / "datasets") == []  # no partial or wrong file kept


def test_extract_zip_and_tar(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    with zipfile.ZipFile(src / "d.zip", "w") as zf:
        zf.writestr("d/a.txt", "alpha")
    with tarfile.open(src / "t.tar.gz", "w:gz") as tf:
        data = b"beta"
        info = tarfile.TarInfo("t/b.txt")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    path = get_file("d.zip", (src / "d.zip").as_uri(), extract=True, cache_dir=tmp_path / "c",
                    progress=False)
    assert open(os.path.join(os.path.dirname(path), "d", "a.txt")).read() == "alpha"
    out = get_file("t", (src / "t.tar.gz").as_uri(), untar=True, cache_dir=tmp_path / "c",
                   progress=False)
    assert out == str(tmp_path / "c" / "datasets" / "t")
    assert open(os.path.join(out, "b.txt")).read() == "beta"


def test_unsafe_or_unknown_archives_are_refused(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape.txt", "x")
    with pytest.raises(ValueError, match="outside"):
        extract_archive(evil, str(tmp_path / "out"))
    assert not (tmp_path / "escape.txt").exists()
    plain = tmp_path / "plain.txt"
    plain.write_text("not an archive")
    with pytest.raises(ValueError, match="not a tar or zip archive"):
        extract_archive(plain, str(tmp_path / "out"))
    with pytest.raises(ValueError, match="Did you mean 'zip'"):
        extract_archive(plain, str(tmp_path / "out"), archive_format="zp")


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="`origin`"):
        get_file("x", None)
    with pytest.raises(ValueError, match="Did you mean 'sha256'"):
        get_file("x", "file:///nowhere/x", file_hash="ab", hash_algorithm="sha265",
                 cache_dir=tmp_path)
