"""One subtree's share of the prover's private state (issue 14; SPEC.md §6.9.1).

A round proved on a Dask cluster keeps, beside the coordinator's state file `S`, a
directory `S.d/` of SQLite files, one per subtree, each written by the worker that proves
that subtree: its chunk proofs as they finish (so a lost worker or coordinator resumes
from them), then its leaves, the levels of its subtree and its leaves as the audit file
holds them, and last its summary (`status` complete). Created 0600: a shard, like the
state, lets whoever reads it de-anonymize its leaves.

A shard is bound to its round and subtree by a tag (an HMAC under the master secret of
the round's inputs digest, the asset and the subtree index): a shard left by another round
is refused, never taken as this one's.
"""

import hashlib
import hmac
import json
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from zksolv import tree
from zksolv.errors import InputError
from zksolv.fsutil import atomic_file, open_regular
from zksolv.hashing import framed
from zksolv.strictjson import one_line

SEGMENT = 256
"""Nodes per `levels` row, as in the state file (one small row read per path step)."""
AUDIT_PART = 1 << 14
"""Leaves per `audit` row (65 bytes each: ~1 MiB a row)."""
PROVING, COMPLETE = "proving", "complete"
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE chunks(idx INTEGER PRIMARY KEY, proof BLOB NOT NULL);
CREATE TABLE leaves(user_id TEXT PRIMARY KEY, position INTEGER NOT NULL, units TEXT NOT NULL);
CREATE TABLE levels(level INTEGER NOT NULL, segment INTEGER NOT NULL, commitments BLOB NOT NULL,
                    hashes BLOB NOT NULL, PRIMARY KEY(level, segment));
CREATE TABLE audit(part INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""
_NAME = re.compile(r"([0-9a-f]{2,128}|margin)-[0-9]{1,10}\.db")
MARGIN_STEM = "margin"
"""The name stem of the account tree's shards (its asset name is "": SPEC.md §6.9.1); no
asset's hex name can be it."""


def directory_of(state_path) -> Path:
    """Where the shards of the state at `state_path` live: `<state>.d`."""
    return Path(f"{state_path}.d")


def stem(asset: str) -> str:
    """A tree's shard name stem: its asset's name in hex, MARGIN_STEM for the account tree."""
    return asset.encode().hex() if asset else MARGIN_STEM


def path_of(directory, asset: str, k: int) -> Path:
    return Path(directory) / f"{stem(asset)}-{k}.db"


def is_shard_name(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def tag(master: bytes, inputs: str, asset: str, k: int) -> bytes:
    """Binds a shard to its round (master secret, inputs) and place (asset, subtree k)."""
    message = framed(b"zksolv/v1/shard") + framed(inputs.encode()) + framed(asset.encode()) + k.to_bytes(8, "big")
    return hmac.new(master, message, hashlib.sha256).digest()


class Shard:
    """A subtree's shard, opened (or created) by the worker proving the subtree."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self._db, self.path = db, path

    @classmethod
    def open(cls, path, expected_tag: bytes) -> "Shard":
        path = Path(path)
        if not path.exists():
            with atomic_file(path, mode=0o600, replace=False) as tmp:
                db = sqlite3.connect(tmp, isolation_level=None)
                try:
                    db.executescript(_SCHEMA)
                    db.execute("INSERT INTO meta VALUES ('tag', ?), ('status', ?)", (expected_tag, PROVING))
                finally:
                    db.close()
        shard = cls(_connect(path), path)
        if shard.meta("tag") != expected_tag:
            shard.close()
            raise InputError(f"{one_line(str(path), 200)}: a shard of another round; remove {path.parent} "
                             "or give the round its own --state")
        return shard

    def meta(self, key: str):
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def summary(self) -> dict | None:
        """The finished subtree's summary, or None while it is being proved."""
        if self.meta("status") != COMPLETE:
            return None
        return json.loads(self.meta("summary"))

    def done(self) -> set[int]:
        return {i for (i,) in self._db.execute("SELECT idx FROM chunks")}

    def save_chunk(self, index: int, proof: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO chunks VALUES (?, ?)", (index, proof))

    def save_chunks(self, chunks: list[tuple[int, bytes]]) -> None:
        """Several (index, proof) in one transaction: one sync of the file, not one each."""
        with transaction(self._db):
            self._db.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?)", chunks)

    def chunks(self) -> list[bytes]:
        """The saved chunks, in order (an account tree's: its proven leaves' bytes)."""
        return [data for (data,) in self._db.execute("SELECT proof FROM chunks ORDER BY idx")]

    def finish(self, leaves, levels, audit_leaves: bytes, summary: dict) -> None:
        """Leaves (user_id, position, units), the subtree's levels, its audit-file leaves and
        its summary, with `status` complete, in one transaction — unless another run of the
        same task (a coordinator killed and restarted while its task went on) finished first:
        both computed the same bytes."""
        db = self._db
        with transaction(db, "BEGIN IMMEDIATE"):
            if self.meta("status") == COMPLETE:
                return
            db.executemany("INSERT INTO leaves VALUES (?, ?, ?)", ((u, p, str(n)) for u, p, n in leaves))
            db.executemany("INSERT INTO levels VALUES (?, ?, ?, ?)", tree.segments(levels, SEGMENT))
            part = AUDIT_PART * 65
            db.executemany("INSERT INTO audit VALUES (?, ?)",
                           ((i, audit_leaves[i * part : (i + 1) * part]) for i in range(-(-len(audit_leaves) // part))))
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           [("summary", json.dumps(summary, sort_keys=True)), ("status", COMPLETE)])

    def close(self) -> None:
        self._db.close()


@contextmanager
def transaction(db: sqlite3.Connection, begin: str = "BEGIN"):
    """One transaction: committed if the block ends (or returns), rolled back if it raises."""
    db.execute(begin)
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _connect(path: Path) -> sqlite3.Connection:
    open_regular(path, "shard").close()  # refuse a FIFO or device before SQLite opens it
    try:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("SELECT count(*) FROM meta").fetchone()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{one_line(str(path), 200)}: not a zksolv shard ({one_line(str(exc), 80)})") from None
    return db


class Readers:
    """Finished shards opened for reading, each once, kept open until `close` (a path lookup
    reads log2 S rows of one shard)."""

    def __init__(self):
        self._open: dict[Path, sqlite3.Connection] = {}

    def query(self, path, sql: str, args: tuple) -> list:
        """Rows of one read of a shard; a missing or damaged one is an InputError."""
        path = Path(path)
        if path not in self._open:
            self._open[path] = _connect(path)
        try:
            return self._open[path].execute(sql, args).fetchall()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise InputError(f"{one_line(str(path), 200)}: damaged shard ({one_line(str(exc), 80)})") from None

    def close(self) -> None:
        for db in self._open.values():
            db.close()
        self._open.clear()


def audit_leaves(path):
    """A finished shard's leaves as the audit file holds them, one row (≤ 1 MiB) at a time."""
    return _stream(path, "SELECT data FROM audit ORDER BY part")


def chunk_proofs(path):
    """A finished shard's chunk proofs, in order."""
    return _stream(path, "SELECT proof FROM chunks ORDER BY idx")


def _stream(path, sql: str):
    db = _connect(Path(path))
    try:
        for (data,) in db.execute(sql):
            yield data
    finally:
        db.close()


def chunks_in(directory) -> int:
    """Chunk proofs already in the shards of `directory` (a resumed round reports them)."""
    paths = sorted(Path(directory).glob("*.db")) if Path(directory).is_dir() else ()
    return sum(chunk_count(path) for path in paths if is_shard_name(path.name))


def chunk_count(path) -> int:
    """Chunk proofs already saved in one shard (InputError if it is not a shard)."""
    db = _connect(path)
    try:
        return db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    finally:
        db.close()
