"""Atomic writes: outputs appear whole or not at all (DESIGN §8.6)."""

import errno
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from zksolv.errors import EncodingError, InputError


def read_json(path, what: str, malformed=EncodingError):
    """A JSON file's content; unreadable is an InputError, not JSON a `malformed` error."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what}: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise malformed(f"{path}: {what} is not valid JSON: {exc}") from exc


@contextmanager
def atomic_dir(target: Path, force: bool = False):
    """Yield an empty temporary directory beside `target`; on success its files and itself
    are flushed to disk and it is renamed into place (replacing an old `target` only if
    `force`). On any failure the temporary directory is removed and `target` is untouched."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not force:
        raise InputError(f"{target}: already exists and is not empty (use --force to replace it)")
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
