"""The prover's private state: round secret, leaf positions, the trees (SPEC.md §6.9).

An SQLite file created 0600 and written atomically. It holds the master secret: whoever
reads it can de-anonymize every leaf of the round.
"""

import sqlite3
from pathlib import Path

from zksolv.errors import InputError
from zksolv.fsutil import atomic_file
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES

FORMAT = "zksolv-state"
VERSION = "1"
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE leaves(user_id TEXT NOT NULL, asset TEXT NOT NULL, position INTEGER NOT NULL,
                    units TEXT NOT NULL, PRIMARY KEY(user_id, asset));
CREATE TABLE levels(asset TEXT NOT NULL, level INTEGER NOT NULL, commitments BLOB NOT NULL,
                    hashes BLOB NOT NULL, PRIMARY KEY(asset, level));
"""


def write(path, meta: dict[str, bytes | str], assets, force: bool = False) -> None:
    """Write the whole state for a round; `assets` are AssetLeaves."""
    with atomic_file(Path(path), mode=0o600, force=force) as tmp:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(_SCHEMA)
            db.executemany("INSERT INTO meta VALUES (?, ?)",
                           [("format", FORMAT), ("version", VERSION)] + list(meta.items()))
            for a in assets:
                db.executemany("INSERT INTO leaves VALUES (?, ?, ?, ?)",
                               [(uid, a.asset, pos, str(units))
                                for pos, (uid, units) in enumerate(zip(a.owners, a.values)) if uid is not None])
                db.executemany("INSERT INTO levels VALUES (?, ?, ?, ?)",
                               [(a.asset, k, lv.commitments, lv.hashes) for k, lv in enumerate(a.levels)])
            db.commit()
        finally:
            db.close()


class State:
    """Read access to a prover state file."""

    def __init__(self, path):
        if not Path(path).is_file():
            raise InputError(f"{path}: no such state file")
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            self.meta = dict(self._db.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path}: not a zksolv state file ({exc})") from None
        if self.meta.get("format") != FORMAT or self.meta.get("version") != VERSION:
            raise InputError(f"{path}: not a version-{VERSION} zksolv state file")

    def holdings(self, user_id: str) -> list[tuple[str, int, int]]:
        """(asset, position, units) for every asset the user holds in this round."""
        rows = self._db.execute("SELECT asset, position, units FROM leaves WHERE user_id = ? ORDER BY asset",
                                (user_id,))
        return [(asset, pos, int(units)) for asset, pos, units in rows]

    def path(self, asset: str, position: int) -> list[tuple[bytes, bytes]]:
        """Sibling (commitment, hash) pairs bottom-up, read as slices of the stored levels."""
        rows = self._db.execute("SELECT rowid, level FROM levels WHERE asset = ? ORDER BY level", (asset,))
        siblings = []
        for rowid, _level in list(rows)[:-1]:
            sib = position ^ 1
            with self._db.blobopen("levels", "commitments", rowid, readonly=True) as blob:
                blob.seek(sib * POINT_BYTES)
                c = blob.read(POINT_BYTES)
            with self._db.blobopen("levels", "hashes", rowid, readonly=True) as blob:
                blob.seek(sib * HASH_BYTES)
                h = blob.read(HASH_BYTES)
            siblings.append((c, h))
            position >>= 1
        return siblings

    def close(self) -> None:
        self._db.close()
