"""Files in and out: inputs read strictly and boundedly (SPEC.md §1.1), outputs written
atomically — whole or not at all (DESIGN §8.6)."""

import codecs
import csv
import errno
import io
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from zksolv import strictjson
from zksolv.errors import EncodingError, InputError

READ_PIECE = 1 << 20
"""Bytes read per system call: a file is never read in one unbounded request."""


def open_regular(path, what: str) -> BinaryIO:
    """`path` opened for binary reading if it is a regular file; anything else (directory,
    FIFO, device, socket, missing, dangling or looping link) is an InputError, refused
    without blocking: O_NONBLOCK makes opening a FIFO return at once, then fstat decides."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputError(f"{_shown(path)}: cannot read {what}: {_reason(exc)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{_shown(path)}: {what} is not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path, what: str, limit: int) -> bytes:
    """The whole content of the regular file `path`, refused if over `limit` bytes."""
    with open_regular(path, what) as f:
        if os.fstat(f.fileno()).st_size > limit:
            raise InputError(f"{_shown(path)}: {what} is larger than the {limit:,} bytes allowed")
        pieces, total = [], 0
        while piece := f.read(min(READ_PIECE, limit + 1 - total)):
            pieces.append(piece)
            total += len(piece)
            if total > limit:  # it grew while being read
                raise InputError(f"{_shown(path)}: {what} is larger than the {limit:,} bytes allowed")
        return b"".join(pieces)


def read_text(path, what: str, limit: int) -> str:
    """`read_bytes` decoded as strict UTF-8; anything else is an InputError."""
    data = read_bytes(path, what, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{_shown(path)}: {what} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_json(path, what: str, malformed=EncodingError, limit: int = strictjson.MAX_BYTES):
    """A JSON file's content, parsed strictly (zksolv.strictjson); unreadable is an
    InputError, bad JSON a `malformed` error naming the file."""
    data = read_bytes(path, what, limit)
    try:
        return strictjson.loads(data)
    except strictjson.JSONError as exc:
        raise malformed(f"{_shown(path)}: {what} is not valid strict JSON: {exc}") from None


MAX_CSV_LINE = 4096
"""Longest CSV line read (characters): a ledger or snapshot row is well under 1,000."""


@contextmanager
def csv_reader(path, what: str, max_line: int = MAX_CSV_LINE, max_bytes: int | None = None,
               consumed: list | None = None):
    """A strict csv.reader over the UTF-8 regular file `path`, never holding more than one
    bounded line; bad UTF-8, bad CSV, over-long lines and (if `max_bytes`) a larger file
    are InputErrors naming the file. `consumed` (a one-item list), if given, counts the
    file's bytes the reader has taken: after a record, the offset where the next begins."""
    with open_regular(path, what) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        if max_bytes is not None and os.fstat(raw.fileno()).st_size > max_bytes:
            raise InputError(f"{_shown(path)}: {what} is larger than the {max_bytes:,} bytes allowed")
        lines = _bounded_lines(text, path, what, max_line)
        try:
            yield csv.reader(lines if consumed is None else _counted(lines, consumed), strict=True)
        except UnicodeDecodeError as exc:
            reason, offset = _first_bad_utf8(path, what) or (exc.reason, exc.start)
            raise InputError(f"{_shown(path)}: {what} is not UTF-8 text ({reason} at byte {offset})") from None
        except csv.Error as exc:
            raise InputError(f"{_shown(path)}: {what} is malformed CSV: {exc}") from None


def _first_bad_utf8(path, what: str) -> tuple[str, int] | None:
    """(reason, offset in the file) of the first byte that is not UTF-8. A text stream's
    decoding error counts from the start of the block it was decoding, not of the file, so
    the file is decoded again up to that byte (error path only; linear, bounded pieces)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open_regular(path, what) as raw:
        while True:
            piece = raw.read(READ_PIECE)
            held = len(decoder.getstate()[0])   # an unfinished sequence from the last piece
            try:
                decoder.decode(piece, final=not piece)
            except UnicodeDecodeError as exc:
                return exc.reason, offset - held + exc.start
            if not piece:
                return None
            offset += len(piece)


def _bounded_lines(text, path, what: str, max_line: int):
    number = 0
    while line := text.readline(max_line + 1):
        number += 1
        if len(line) > max_line:
            raise InputError(f"{_shown(path)}:{number}: {what} line longer than {max_line} characters")
        yield line


def _counted(lines, consumed: list):
    for line in lines:
        consumed[0] += len(line.encode("utf-8"))  # decoded strictly, so the same bytes
        yield line


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else "invalid path"


def _shown(path) -> str:
    """A path as it may appear in a one-line message."""
    return strictjson.one_line(os.fsdecode(path) if isinstance(path, bytes) else str(path))


@contextmanager
def atomic_dir(target: Path, force: bool = False):
    """Yield an empty temporary directory beside `target`; on success its files and itself
    are flushed to disk and it is renamed into place (replacing an old `target` only if
    `force`). On any failure the temporary directory is removed and `target` is untouched."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not force:
        raise InputError(f"{target}: already exists and is not empty (use --force to replace it)")
    import shutil  # here, not at the top: a customer's check writes nothing (start-up, issue 13)
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        _sync_tree(tmp)
        _swap_in(tmp, target)
        _sync(target.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def _swap_in(tmp: Path, target: Path) -> None:
    """Rename `tmp` to `target`; an old `target` is set aside first and put back if that fails."""
    if not (target.exists() or target.is_symlink()):
        os.replace(tmp, target)
        return
    import shutil
    import tempfile

    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.replace(target, old / "x")
    try:
        os.replace(tmp, target)
    except BaseException:
        os.replace(old / "x", target)
        os.rmdir(old)
        raise
    shutil.rmtree(old)


@contextmanager
def atomic_file(target: Path, mode: int = 0o644, replace: bool = True):
    """Yield a temporary path created with `mode` beside `target`; on success it is flushed
    to disk and renamed to `target`. With `replace=False` an existing `target` is never
    overwritten, even one that appeared meanwhile (InputError). On failure nothing is left."""
    import tempfile

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    os.chmod(name, mode)  # mkstemp makes 0600; secrets keep it, public files widen it
    try:
        yield Path(name)
        _sync(name)
        _publish_file(name, target, replace)
        _sync(target.parent)
    finally:
        if os.path.exists(name):
            os.unlink(name)


def _publish_file(name: str, target: Path, replace: bool) -> None:
    if replace:
        os.replace(name, target)
        return
    try:
        os.link(name, target)  # fails if target exists: no check-then-write race
    except FileExistsError:
        raise InputError(f"{target}: already exists") from None
    except OSError as exc:  # a file system without hard links: check, then rename
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP) or os.path.lexists(target):
            raise
        os.replace(name, target)


def _sync_tree(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink():
            _sync(path)
    _sync(directory)


def _sync(path) -> None:
    """fsync a file or directory, so a rename never exposes a file whose data is not on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
