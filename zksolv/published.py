"""An attestation published at an fsspec URL (`prove --out s3://…`; SPEC.md §8, "Outputs").

An object store has no rename, so the directory cannot appear whole the way a local one
does (temp + rename, fsutil.atomic_dir). The attestation is assembled in a private local
directory as before; then every file but `manifest.json` is uploaded, and `manifest.json`
last: the manifest is the commit point, and a location without it is not an attestation.
An output location already holding anything is refused before any work (exit 3), unless
`--force` and it holds only an attestation's files: then its manifest is removed first,
its other files next, and the new attestation uploaded as above.
"""

from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path

from zksolv import storage
from zksolv.errors import InputError
from zksolv.fsutil import atomic_dir
from zksolv.strictjson import one_line

MANIFEST = "manifest.json"
ATTESTATION_FILES = (MANIFEST, "*.audit", "exchange-signature.json")
"""What an attestation location may hold to be replaced by `--force`."""


def check(url: str, force: bool) -> None:
    """Before any work: the URL reachable and writable, and empty (or, with `force`, an
    attestation's)."""
    storage.probe(url, "--out")
    fs, root = storage.filesystem(url)
    _refuse_existing(url, _existing(fs, root, url), force)


def _existing(fs, root: str, url: str) -> list[str]:
    try:
        return storage.names(fs, root)
    except Exception as exc:   # each backend raises its own errors
        raise InputError(f"--out {one_line(url, 200)}: cannot list it ({storage.why(exc)})") from None


def _refuse_existing(url: str, names: list[str], force: bool) -> None:
    if names and not force:
        raise InputError(f"--out {one_line(url, 200)}: already exists and is not empty (use --force to replace it)")
    if names and not all(any(fnmatch(n, p) for p in ATTESTATION_FILES) for n in names):
        raise InputError(f"--out {one_line(url, 200)}: holds files that are not an attestation's; not replaced")


class _Output:
    """The local directory an attestation is assembled in, and how it is published."""

    def __init__(self, directory: Path, url: str | None, force: bool):
        self.directory, self._url, self._force = directory, url, force

    def publish(self) -> None:
        """A URL: upload every file, `manifest.json` last (replacing, if `force`, the
        attestation there); a local directory: nothing yet (it is renamed into place)."""
        if self._url is None:
            return
        fs, root = storage.filesystem(self._url)
        try:
            old = storage.names(fs, root)
            _refuse_existing(self._url, old, self._force)   # appeared while the round was proved?
            for name in sorted(old, key=lambda n: n != MANIFEST):   # the manifest goes first
                fs.rm_file(f"{root}/{name}")
            files = sorted(self.directory.iterdir(), key=lambda p: p.name == MANIFEST)   # the manifest last
            for path in files:
                storage.upload(fs, path, f"{root}/{path.name}")
        except InputError:
            raise
        except Exception as exc:   # each backend raises its own errors
            raise InputError(f"--out {one_line(self._url, 200)}: publishing failed ({storage.why(exc)}); run the "
                             "same command again with --force once the storage is fixed") from None


@contextmanager
def output(out, force: bool):
    """An `_Output` for `--out`: a local directory (fsutil.atomic_dir: renamed into place
    when the block ends) or a URL (a private temporary directory, published by `publish`)."""
    if storage.is_url(str(out)):
        with storage.private_dir() as tmp:
            yield _Output(tmp, str(out), force)
        return
    with atomic_dir(Path(out), force) as tmp:
        yield _Output(tmp, None, force)
