"""Atomic writes: outputs appear whole or not at all (DESIGN §8.6)."""

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
    """Yield an empty temporary directory beside `target`; rename it into place on success."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not force:
        raise InputError(f"{target}: already exists and is not empty (use --force to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / "x")
            os.replace(tmp, target)
            shutil.rmtree(old)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


@contextmanager
def atomic_file(target: Path, mode: int = 0o644):
    """Yield a temporary path created with `mode` beside `target`; rename it on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    os.chmod(name, mode)  # mkstemp makes 0600; secrets keep it, public files widen it
    try:
        yield Path(name)
        os.replace(name, target)
    finally:
        if os.path.exists(name):
            os.unlink(name)
