"""A test-only fsspec filesystem, `zkstest://NAME/…` (issue 14, SPEC.md §6.9.1): objects kept
in a directory under the system's temporary directory, reached only through fsspec. Its
paths are relative to that hidden root (`NAME/…`), so code that took a shard location for
an `os` path would fail, not silently work.

Imported by the tests and, as `dask worker --preload tests/zkstestfs.py`, by the real
cluster's workers (clusterkit.py); there it also makes the workers checkpoint a shard after
every chunk proof, so that a worker killed mid-subtree leaves a checkpoint to resume from.
"""

import os
import tempfile

import fsspec
from fsspec.implementations.dirfs import DirFileSystem
from fsspec.implementations.local import LocalFileSystem

PROTOCOL = "zkstest"


ROOT_VARIABLE = "ZKSOLV_ZKSTEST_ROOT"


def backing_root() -> str:
    """The directory behind every `zkstest://` URL (the tests look there; zksolv cannot):
    the test session's own (conftest.py sets ROOT_VARIABLE, which the cluster's workers and
    other subprocesses inherit), so two suites running at once never share objects."""
    return os.environ.get(ROOT_VARIABLE) or os.path.join(tempfile.gettempdir(), f"zksolv-zkstest-{os.getuid()}")


class ZksTestFileSystem(DirFileSystem):
    """fsspec's DirFileSystem over `backing_root()`, under its own protocol."""

    protocol = PROTOCOL
    root_marker = ""

    def __init__(self, **kwargs):
        os.makedirs(backing_root(), mode=0o700, exist_ok=True)
        super().__init__(path=backing_root(), fs=LocalFileSystem(), **kwargs)

    @classmethod
    def _strip_protocol(cls, path):
        prefix = f"{PROTOCOL}://"
        return (path[len(prefix):] if path.startswith(prefix) else path).rstrip("/")


fsspec.register_implementation(PROTOCOL, ZksTestFileSystem, clobber=True)


def dask_setup(worker):
    """Run by `dask worker --preload`: checkpoint after every chunk proof — each proof
    committed on its own (a subtree task commits CHUNKS_PER_COMMIT at a time, which in the
    tests' small subtrees is the whole subtree: its only checkpoint would come an instant
    before the finished shard, and a kill test could not see one) and published at once."""
    from zksolv import storage
    from zksolv.attestation import subtree

    storage.CHECKPOINT_CHUNKS = 1
    subtree.CHUNKS_PER_COMMIT = 1


if __name__ == "__main__":   # `python tests/zkstestfs.py prove …`: the zksolv command, knowing zkstest://
    from zksolv.cli import main

    main()
