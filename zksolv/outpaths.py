"""Output paths checked before any work (SPEC.md §8; DESIGN §8.6).

A command that writes (`prove`, `inclusion --out`, `demo`) names its outputs and the paths
it reads; `check` refuses, before anything is read or proved:

- an output that is empty, a symbolic link, or of the wrong kind (a directory where a file
  goes, or the reverse), or that exists when it may not (`replace=False`);
- an output whose nearest existing ancestor is not a writable directory (under a regular
  file, in a read-only place);
- two paths that alias: an output that is, contains or lies inside another output or an
  input, after resolving `..`, symbolic links of the parents and relative paths — the
  private state inside the directory meant for publishing, the state in place of the
  ledger, or `--force` replacing a directory that holds an input;
- a `--force` that would delete more than the attestation it replaces (`contents`), and a
  private file written in a published directory (`not_beside`).

All refusals are `InputError` (exit 3).
"""

import os
import stat
import tempfile
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from zksolv.errors import InputError

FILE, DIRECTORY = "file", "directory"


@dataclass(frozen=True)
class Output:
    """A path a command will write: `option` names it in messages."""

    path: object
    option: str
    kind: str  # FILE or DIRECTORY
    replace: bool = False  # may an existing one be replaced (--force, or a resumable state)?
    forceable: bool = False  # does the command have a --force that would replace it?
    marker: str | None = None  # a non-empty directory is replaced only if it holds this file
    contents: tuple[str, ...] = ()  # ... and nothing but files matching these patterns
    not_beside: str | None = None  # never written in a directory holding this file (a published one)


def check(outputs: list[Output], inputs: dict[str, object] | None = None) -> None:
    """Refuse unusable or aliasing outputs (see the module docstring); InputError."""
    located = [(o, _location(o.path, o.option)) for o in outputs]
    for output, where in located:
        _check_place(output, where)
    named = [(o.option, where) for o, where in located]
    named += [(option, _location(p, option)) for option, p in (inputs or {}).items() if p is not None]
    for i, (output, where) in enumerate(located):
        for option, other in named[:i] + named[i + 1:]:
            _check_apart(output.option, where, option, other)
    for output, (entry, _) in located:
        _check_contents(output, entry)
        _check_not_beside(output, entry)


def _check_not_beside(output: Output, entry: Path) -> None:
    """A private file is never written in a published directory (one holding `not_beside`)."""
    ancestor = entry.parent
    while not os.path.isdir(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if output.not_beside is not None and os.path.lexists(ancestor / output.not_beside):
        raise InputError(f"{output.option} {output.path}: {ancestor} holds {output.not_beside} (a published "
                         "directory); write this private file elsewhere")


def _check_contents(output: Output, entry: Path) -> None:
    """A directory --force would replace holds only what the command wrote there (`contents`)."""
    if not (output.contents and output.replace and os.path.isdir(entry)) or os.path.islink(entry):
        return
    for item in os.scandir(entry):
        if not (item.is_file(follow_symlinks=False) and any(fnmatch(item.name, p) for p in output.contents)):
            raise InputError(f"{output.option} {output.path}: also holds {item.name!r}, which --force would "
                             "delete; move it out first")


def _location(path, option: str) -> tuple[Path, Path]:
    """(where the entry is, what it resolves to): parents resolved, the last part kept."""
    text = os.fspath(path)
    if text == "" or (isinstance(text, str) and not text.strip()):
        raise InputError(f"{option}: an empty path")
    absolute = Path(os.path.abspath(text))
    entry = Path(os.path.realpath(absolute.parent)) / absolute.name
    return entry, Path(os.path.realpath(entry))


def _check_place(output: Output, where: tuple[Path, Path]) -> None:
    entry, _ = where
    if entry.name in ("", ".", ".."):
        raise InputError(f"{output.option} {output.path}: name a new {output.kind}, not {entry.name or '/'}")
    try:
        st = os.lstat(entry)
    except FileNotFoundError:
        _check_parent(output, entry.parent)
        return
    except OSError as exc:
        raise InputError(f"{output.option} {output.path}: cannot be used ({exc.strerror})") from None
    _check_existing(output, entry, st)
    _check_parent(output, entry.parent)


def _check_existing(output: Output, entry: Path, st: os.stat_result) -> None:
    where = f"{output.option} {output.path}"
    if stat.S_ISLNK(st.st_mode):
        raise InputError(f"{where}: is a symbolic link (name the real path)")
    if output.kind == DIRECTORY:
        if not stat.S_ISDIR(st.st_mode):
            raise InputError(f"{where}: exists and is not a directory")
        if not os.access(entry, os.W_OK | os.X_OK):
            raise InputError(f"{where}: is not writable")
        if any(os.scandir(entry)):
            _check_replaceable(output, entry, where)
        return
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{where}: exists and is not a regular file")
    if not output.replace:
        raise InputError(f"{where}: already exists")
    if not os.access(entry, os.R_OK | os.W_OK):
        raise InputError(f"{where}: is not readable and writable")


def _check_replaceable(output: Output, entry: Path, where: str) -> None:
    """A non-empty directory is replaced only when allowed, and only if it is what the
    command writes (`marker`): --force never wipes a home directory given by mistake."""
    if not output.replace:
        hint = " (use --force to replace it)" if output.forceable else ""
        raise InputError(f"{where}: already exists and is not empty{hint}")
    if output.marker is not None and not os.path.isfile(entry / output.marker):
        raise InputError(f"{where}: is not empty and holds no {output.marker}; refusing to replace it")


def _check_parent(output: Output, parent: Path) -> None:
    """The nearest existing ancestor must be a directory this process can write into."""
    ancestor = parent
    while True:
        try:
            st = os.stat(ancestor)
            break
        except FileNotFoundError:
            ancestor = ancestor.parent
        except OSError as exc:
            raise InputError(f"{output.option} {output.path}: cannot be created ({exc.strerror})") from None
    if not stat.S_ISDIR(st.st_mode):
        raise InputError(f"{output.option} {output.path}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError(f"{output.option} {output.path}: cannot write in {ancestor} (permission denied "
                         "or a read-only file system)")
    _try_writing(output, ancestor)


def _try_writing(output: Output, ancestor: Path) -> None:
    """Make and remove a directory in `ancestor`: os.access reads permission bits, and as root
    says yes where creating still fails (sysfs, an immutable directory, root-squashed NFS)."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".zksolv-probe-", dir=ancestor))
    except OSError as exc:
        raise InputError(f"{output.option} {output.path}: cannot write in {ancestor} ({exc.strerror})") from None


def _check_apart(option: str, where: tuple[Path, Path], other_option: str, other: tuple[Path, Path]) -> None:
    """Neither path may be the other or contain it, however either is spelled."""
    for a in set(where):
        for b in set(other):
            if a == b:
                raise InputError(f"{option} and {other_option} are the same path ({a})")
            if b.is_relative_to(a):
                raise InputError(f"{other_option} ({b}) is inside {option} ({a})")
            if a.is_relative_to(b):
                raise InputError(f"{option} ({a}) is inside {other_option} ({b})")
