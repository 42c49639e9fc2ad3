"""Where an audit file is read (issue 14; SPEC.md §6.10): a local file (by its absolute
path, so that a cluster's workers on this machine or a shared filesystem open the same
one), or an object behind an fsspec URL (`s3://bucket/round-7/BTC.audit`).

Both are opened the same way, as a binary file with its size; a local path must be a
regular file (never a FIFO or a device), a URL an object (not a directory). Whatever the
storage raises while opening or reading is an InputError (exit 3) naming the file.
"""

import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from zksolv import storage
from zksolv.errors import InputError
from zksolv.fsutil import open_regular
from zksolv.strictjson import one_line


@dataclass(frozen=True)
class Source:
    """`location`: an absolute path or a URL; `shown`: how messages name the file (as the
    user gave its directory, so that every executor's messages read alike)."""

    location: str
    shown: str

    @contextmanager
    def open(self):
        """(binary file, its size in bytes), closed on exit."""
        if not storage.is_url(self.location):
            with open_regular(self.location, "audit file") as f:
                yield _Guarded(f, self.shown), os.fstat(f.fileno()).st_size
            return
        fs, path = storage.filesystem(self.location)
        try:
            info = fs.info(path)
            if info.get("type") != "file":
                raise InputError(f"{one_line(self.shown, 200)}: audit file is not a regular file")
            f = fs.open(path, "rb")
        except InputError:
            raise
        except Exception as exc:   # each backend raises its own errors
            raise InputError(f"{one_line(self.shown, 200)}: cannot read audit file ({storage.why(exc)})") from None
        with f:
            yield _Guarded(f, self.shown), int(info["size"])


class _Guarded:
    """A file whose read errors (a backend's, or the OS's) are InputErrors naming it."""

    def __init__(self, f, shown: str):
        self._f, self._shown = f, shown

    def read(self, size: int = -1) -> bytes:
        try:
            return self._f.read(size)
        except Exception as exc:   # each backend raises its own errors
            raise InputError(f"{one_line(self._shown, 200)}: cannot read audit file ({storage.why(exc)})") from None

    def tell(self) -> int:
        return self._f.tell()

    def seek(self, offset: int) -> None:
        try:
            self._f.seek(offset)
        except Exception as exc:
            raise InputError(f"{one_line(self._shown, 200)}: cannot read audit file ({storage.why(exc)})") from None


def source_of(directory, name: str) -> Source:
    """The file `name` of the attestation at `directory` (a local directory or a URL)."""
    if storage.is_url(str(directory)):
        url = f"{str(directory).rstrip('/')}/{name}"
        return Source(url, url)
    path = Path(directory) / name
    return Source(str(path.absolute()), str(path))


def read_range(f, offset: int, size: int) -> bytes:
    """Up to `size` bytes from `offset` (fewer if the file is shorter: the caller's digest
    then differs from the auditor's)."""
    f.seek(offset)
    pieces, left = [], size
    while left and (piece := f.read(min(left, 1 << 20))):
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


def digests_of(f, limit: int, cut: int) -> tuple[str, int, tuple[bytes, bytes]]:
    """SHA-256 (hex) and size of an open file from where it is, streamed, and the SHA-256 of
    its bytes before `cut` and of those from `cut` on (the two parts that two handles then
    read side by side: what they check must be these bytes, SPEC.md §6.10). Reading stops
    past `limit` bytes (the size the manifest publishes: a longer file cannot match it)."""
    whole, before, after, size = hashlib.sha256(), hashlib.sha256(), hashlib.sha256(), 0
    while size <= limit and (block := f.read(min(1 << 20, limit + 1 - size))):
        whole.update(block)
        split = min(len(block), max(0, cut - size))
        before.update(block[:split])
        after.update(block[split:])
        size += len(block)
    return whole.hexdigest(), size, (before.digest(), after.digest())
