"""The prover's private state: round secret, chunk proofs as they finish, leaf positions and
the trees (SPEC.md §6.9).

An SQLite file created 0600 at the start of a round. Finished chunk proofs are committed as
they come, a few to a transaction, so a round that is interrupted (Ctrl-C, kill -9, a lost
machine) resumes from them with the same command; `status` becomes `complete` in the last
transaction. It holds the master secret: whoever reads it can de-anonymize every leaf of the
round.
"""

import contextlib
import json
import functools
import re
import sqlite3
from pathlib import Path

from zksolv import roundkeys, shard as shard_module, storage, tree
from zksolv.accounts import keys as account_keys, tree as account_tree
from zksolv.errors import InputError
from zksolv.fsutil import atomic_file, open_regular
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES, id_hash
from zksolv.strictjson import one_line

FORMAT = "zksolv-state"
VERSION = "5"
READABLE = ("3", "4", "5")
"""Version 4 adds the margin tables, version 5 the index of a sharded round's subtrees
(§6.9.1); version-3 and -4 states still read."""
PROVING, COMPLETE = "proving", "complete"
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE chunks(asset TEXT NOT NULL, idx INTEGER NOT NULL, proof BLOB NOT NULL,
                    PRIMARY KEY(asset, idx));
CREATE TABLE leaves(user_id TEXT NOT NULL, asset TEXT NOT NULL, position INTEGER NOT NULL,
                    units TEXT NOT NULL, PRIMARY KEY(user_id, asset));
CREATE TABLE levels(asset TEXT NOT NULL, level INTEGER NOT NULL, segment INTEGER NOT NULL,
                    commitments BLOB NOT NULL, hashes BLOB NOT NULL, PRIMARY KEY(asset, level, segment));
CREATE TABLE margin_chunks(idx INTEGER PRIMARY KEY, leaves BLOB NOT NULL);
CREATE TABLE accounts(user_id TEXT PRIMARY KEY, position INTEGER NOT NULL, balances TEXT NOT NULL);
CREATE TABLE subtrees(asset TEXT NOT NULL, k INTEGER NOT NULL, size INTEGER NOT NULL, key_first BLOB NOT NULL,
                      key_last BLOB NOT NULL, PRIMARY KEY(asset, k));
"""
MARGIN_TREE = ""
"""The account tree's levels are kept in `levels` under this asset name (no asset has it)."""
SEGMENT = 256
"""Tree nodes per `levels` row: a path lookup reads one small row per level, whatever the
tree's size (SQLite walks a large BLOB's overflow pages to reach an offset)."""


def _refusing_sqlite_errors(method):
    """A store operation whose database went away under it — another `prove` on the same
    --state replaced or locked it — is an InputError naming the cause, never an internal error."""
    @functools.wraps(method)
    def wrapped(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise InputError(f"the state file changed under this prove ({exc}): is another prove using "
                             "the same --state? Run the command again once it has finished") from None
    return wrapped


class RoundStore:
    """The state of a round being proved: created fresh, or reopened to resume."""

    def __init__(self, db: sqlite3.Connection, meta: dict, resumed: bool):
        self._db, self.meta, self.resumed = db, meta, resumed
        self._group, self._pending = 0, 0   # chunk saves a transaction holds; saves not yet committed

    @contextlib.contextmanager
    def chunks_grouped(self, count: int):
        """While the block runs, `save_chunk` commits `count` chunks to a transaction, and
        whatever is pending when the block ends, however it ends: one sync of the file per
        `count` chunks instead of one each (≈ 0.5 ms of CPU a sync). Only a process that
        dies loses the proofs not yet committed; the resumed round makes them again."""
        self._group = count
        try:
            yield
        finally:
            self._group = 0
            self._commit_pending()

    @_refusing_sqlite_errors
    def _commit_pending(self) -> None:
        if self._pending:
            self._pending = 0
            self._db.execute("COMMIT")

    @staticmethod
    def resumable(path, inputs_digest: str, force: bool = False) -> dict | None:
        """The metadata of the unfinished round proving `inputs_digest` at `path`, or None
        if there is none; a different or finished round there is an error unless `force`."""
        path = Path(path)
        if not path.exists():
            return None
        db, meta = _open_existing(path)
        db.close()
        if meta.get("status") == PROVING and meta.get("inputs") == inputs_digest:
            return meta
        if not force:
            what = "a finished round" if meta.get("status") == COMPLETE else "another round in progress"
            raise InputError(f"{path}: holds {what} (use --force to replace it)")
        return None

    @classmethod
    def open(cls, path, inputs_digest: str, fresh_meta: dict, force: bool = False) -> "RoundStore":
        """Resume the round proving `inputs_digest` at `path`, or start one with `fresh_meta`
        (replacing, only if `force`, whatever state is there)."""
        path = Path(path)
        if cls.resumable(path, inputs_digest, force) is not None:
            db, meta = _open_existing(path)
            return cls(db, meta, resumed=True)
        return cls._create(path, {**fresh_meta, "inputs": inputs_digest})

    @classmethod
    def _create(cls, path: Path, meta: dict) -> "RoundStore":
        """A new state, written whole beside `path` (0600) and then renamed onto it: a failure
        leaves nothing, or the old state untouched; never a state without its metadata."""
        meta = {"format": FORMAT, "version": VERSION, "status": PROVING, **meta}
        with atomic_file(path, mode=0o600) as tmp:
            db = sqlite3.connect(tmp, isolation_level=None)
            try:
                db.executescript(_SCHEMA)
                db.execute("BEGIN")
                db.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
                db.execute("COMMIT")
            finally:
                db.close()
        return cls(sqlite3.connect(path, isolation_level=None), meta, resumed=False)

    @_refusing_sqlite_errors
    def done(self, asset: str) -> set[int]:
        """Indices of the chunks already proved (asset MARGIN_TREE: the margin leaves')."""
        if asset == MARGIN_TREE:
            return {i for (i,) in self._db.execute("SELECT idx FROM margin_chunks")}
        return {i for (i,) in self._db.execute("SELECT idx FROM chunks WHERE asset = ?", (asset,))}

    @_refusing_sqlite_errors
    def save_chunk(self, asset: str, index: int, proof: bytes) -> None:
        """Commit one finished chunk proof (durable before the next one starts counting);
        for asset MARGIN_TREE, the chunk's proven margin leaves. Inside `chunks_grouped`,
        committed with the others of its group."""
        if self._group and not self._pending:
            self._db.execute("BEGIN")
        if asset == MARGIN_TREE:
            self._db.execute("INSERT OR REPLACE INTO margin_chunks VALUES (?, ?)", (index, proof))
        else:
            self._db.execute("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?)", (asset, index, proof))
        if self._group:
            self._pending += 1
            if self._pending >= self._group:
                self._commit_pending()

    @_refusing_sqlite_errors
    def chunk_proofs(self, asset: str) -> list[bytes]:
        rows = self._db.execute("SELECT proof FROM chunks WHERE asset = ? ORDER BY idx", (asset,))
        return [proof for (proof,) in rows]

    @_refusing_sqlite_errors
    def margin_chunks(self) -> list[bytes]:
        """Every proved chunk's leaf bytes in order."""
        return [leaves for (leaves,) in self._db.execute("SELECT leaves FROM margin_chunks ORDER BY idx")]

    @_refusing_sqlite_errors
    def finish(self, meta: dict, assets, margin=None, subtrees=()) -> None:
        """Record leaves and trees and mark the round complete, in one transaction.
        `margin`: (accounts as (user_id, position, balances JSON), account tree levels, the
        tree level of the first of them: 0, or on a cluster the account subtrees' height);
        `subtrees`: a sharded round's index, (asset, k, size, key_first, key_last) rows (its
        assets' levels then start at the subtrees' roots, `base_level`)."""
        db = self._db
        with shard_module.transaction(db):
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()) + [("status", COMPLETE)])
            for a in assets:
                db.executemany("INSERT INTO leaves VALUES (?, ?, ?, ?)",
                               ((uid, a.asset, pos, str(units)) for uid, pos, units in a.holdings()))
                db.executemany("INSERT INTO levels VALUES (?, ?, ?, ?, ?)",
                               _segments(a.asset, a.levels, getattr(a, "base_level", 0)))
            db.executemany("INSERT INTO subtrees VALUES (?, ?, ?, ?, ?)", subtrees)
            if margin is not None:
                db.executemany("INSERT INTO accounts VALUES (?, ?, ?)", margin[0])
                db.executemany("INSERT INTO levels VALUES (?, ?, ?, ?, ?)", _segments(MARGIN_TREE, *margin[1:]))

    def close(self) -> None:
        self._db.close()


def _segments(asset: str, levels, base: int = 0):
    """(asset, level, segment, commitments, hashes) rows of SEGMENT nodes each, the first
    of `levels` being tree level `base` (tree.segments)."""
    return ((asset, level + base, *row) for level, *row in tree.segments(levels, SEGMENT))


_META_TYPES = {"format": str, "version": str, "status": str, "inputs": str, "attestation_id": str,
               "master_secret": bytes, "timestamp": str}
_COMPLETE_META_TYPES = {"manifest_digest": str, "manifest_json": bytes}


def _open_existing(path: Path):
    """The database and checked metadata of an existing state file; anything that is not a
    regular file holding a version-3 zksolv state is an InputError (SPEC.md §6.9, §1.1)."""
    open_regular(path, "state file").close()  # refuse a FIFO or device before SQLite opens it
    try:
        db = sqlite3.connect(path, isolation_level=None)
        meta = dict(db.execute("SELECT key, value FROM meta"))
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # TEXT that is not UTF-8 may raise either
        raise InputError(f"{one_line(str(path), 200)}: not a zksolv state file ({one_line(str(exc), 80)})") from None
    if meta.get("format") != FORMAT or meta.get("version") not in READABLE:
        db.close()
        raise InputError(f"{one_line(str(path), 200)}: not a version-{VERSION} zksolv state file")
    problem = _meta_problem(meta)
    if problem:
        db.close()
        raise InputError(f"{one_line(str(path), 200)}: damaged state file: {problem}")
    return db, meta


def _meta_problem(meta: dict) -> str | None:
    """What is missing or mistyped in a state's metadata, or None."""
    wanted = {**_META_TYPES, **(_COMPLETE_META_TYPES if meta.get("status") == COMPLETE else {})}
    for key, kind in wanted.items():
        if not isinstance(meta.get(key), kind):
            return f"meta {key} is missing or not {kind.__name__}"
    if meta["status"] not in (PROVING, COMPLETE):
        return f"unknown status {one_line(meta['status'], 20)!r}"
    if len(meta["master_secret"]) != 32:
        return "the master secret is not 32 bytes"
    return None


class State:
    """Read access to the state of a complete round; a damaged one is an InputError, never
    a wrong inclusion proof."""

    def __init__(self, path):
        self._path = path
        self._db, self.meta = _open_existing(Path(path))
        if self.meta.get("status") != COMPLETE:
            self._db.close()
            raise InputError(f"{one_line(str(path), 200)}: the round is still being proved "
                             "(run the same prove command to finish it)")
        self._shards = shard_module.Readers()
        self._subtree_bits = self._sharded_assets()
        self._places = storage.Shards.of_state(path, self.meta)   # a local dir, or a URL fetched into a cache

    def _sharded_assets(self) -> dict[str, int]:
        """log2 of the subtree size of each asset proved in subtrees (§6.9.1); {} otherwise."""
        if self.meta.get("version") in ("3", "4"):
            return {}
        sizes = self._rows("SELECT asset, min(size), max(size) FROM subtrees GROUP BY asset", ())
        if not all(isinstance(a, str) and type(lo) is int and lo == hi and lo > 0 and lo & (lo - 1) == 0
                   for a, lo, hi in sizes):
            raise self._damaged("the subtree index is malformed")
        return {asset: size.bit_length() - 1 for asset, size, _ in sizes}

    def _rows(self, query: str, args: tuple) -> list:
        try:
            return self._db.execute(query, args).fetchall()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise InputError(f"{self._path}: damaged state file ({one_line(str(exc), 80)})") from None

    def _damaged(self, what: str) -> InputError:
        return InputError(f"{self._path}: damaged state file: {what}")

    def holdings(self, user_id: str) -> list[tuple[str, int, int]]:
        """(asset, position, units) for every asset the user holds in this round."""
        rows = self._rows("SELECT asset, position, units FROM leaves WHERE user_id = ? ORDER BY asset", (user_id,))
        rows = sorted(rows + self._sharded_holdings(user_id))
        for asset, position, units in rows:
            if not (isinstance(asset, str) and type(position) is int and position >= 0 and isinstance(units, str)
                    and _UNITS.fullmatch(units)):
                raise self._damaged(f"a leaves row of {user_id!r} is malformed")
        return [(asset, pos, int(units)) for asset, pos, units in rows]

    def _sharded_holdings(self, user_id: str) -> list:
        """(asset, position, units) rows from the shards: the user's secret position key
        names the one subtree that may hold them (SPEC.md §6.9.1)."""
        master, found = self.meta["master_secret"], []
        secret = roundkeys.user_secret(master, user_id)
        for asset in sorted(set(self._subtree_bits) - {MARGIN_TREE}):
            key = roundkeys.order_key(master, asset, id_hash(user_id, roundkeys.leaf_salt(secret, asset)))
            found += [(asset, position, units) for position, units in self._subtree_leaves(asset, key, user_id)]
        return found

    def _subtree_leaves(self, asset: str, key: bytes, user_id: str) -> list:
        """The user's (position, units) rows in the one shard whose key range holds `key`."""
        hit = self._rows("SELECT k FROM subtrees WHERE asset = ? AND key_first <= ? AND key_last >= ?",
                         (asset, key, key))
        if not hit:
            return []
        return self._shards.query(self._shard(asset, hit[0][0]),
                                  "SELECT position, units FROM leaves WHERE user_id = ?", (user_id,))

    def _shard(self, asset: str, k) -> Path:
        if type(k) is not int or k < 0:
            raise self._damaged("the subtree index is malformed")
        return self._places.cached(asset, k)

    def margin_account(self, user_id: str) -> tuple[int, dict[str, int]] | None:
        """(leaf index, signed base units per asset) of a margin customer, or None: with
        margin_path, what an inclusion proof of a margin account needs (MARGIN.md §13)."""
        if self.meta.get("version") == "3":
            return None
        if MARGIN_TREE in self._subtree_bits:      # proved on a cluster: the account is in a shard
            master = self.meta["master_secret"]
            _, account_id = account_keys.customer(roundkeys.user_secret(master, user_id), user_id)
            rows = self._subtree_leaves(MARGIN_TREE, roundkeys.order_key(master, MARGIN_TREE, account_id), user_id)
        else:
            rows = self._rows("SELECT position, balances FROM accounts WHERE user_id = ?", (user_id,))
        if not rows:
            return None
        position, balances = rows[0]
        try:
            doc = json.loads(balances)
        except (TypeError, ValueError):
            doc = None
        if type(position) is not int or position < 0 or not isinstance(doc, dict) \
                or not all(isinstance(u, str) and _SIGNED.fullmatch(u) for u in doc.values()):
            raise self._damaged(f"the account row of {user_id!r} is malformed")
        return position, {a: int(u) for a, u in doc.items()}

    def margin_path(self, position: int, capacity: int, assets: int) -> list[tuple[bytes, bytes]]:
        """Sibling (Cs, hash) pairs of margin leaf `position`, bottom-up (2·A points a node),
        in the shape of a tree of `capacity` (accounts/tree.py: a forest's fold siblings are
        recomputed from its subtrees' roots)."""
        stride = 2 * assets * POINT_BYTES
        return account_tree.path_from(lambda level, i: self._node(MARGIN_TREE, level, i, stride), capacity, position)

    def path(self, asset: str, position: int, depth: int, stride: int = POINT_BYTES) -> list[tuple[bytes, bytes]]:
        """Sibling (commitment, hash) pairs bottom-up, `depth` of them (log2 of the
        capacity): one small row read per level; a missing or short row is an InputError."""
        siblings = []
        for level in range(depth):
            siblings.append(self._node(asset, level, position ^ 1, stride))
            position >>= 1
        return siblings

    def _node(self, asset: str, level: int, index: int, stride: int) -> tuple[bytes, bytes]:
        """The (commitment(s), hash) of node `index` at `level`: one small row read."""
        bits = self._subtree_bits.get(asset)
        if bits is not None and level < bits:  # inside a subtree: its shard holds the node
            k, local = divmod(index, 1 << (bits - level))
            seg, off = divmod(local, SEGMENT)
            row = self._shards.query(self._shard(asset, k), "SELECT substr(commitments, ?, ?), substr(hashes, ?, ?) "
                                     "FROM levels WHERE level = ? AND segment = ?",
                                     (off * stride + 1, stride, off * HASH_BYTES + 1, HASH_BYTES, level, seg))
            if len(row) != 1 or not _node_ok(*row[0], stride):
                raise self._damaged(f"{asset} tree level {level} lacks node {index}")
            return row[0]
        seg, off = divmod(index, SEGMENT)
        row = self._rows("SELECT substr(commitments, ?, ?), substr(hashes, ?, ?) FROM levels "
                         "WHERE asset = ? AND level = ? AND segment = ?",
                         (off * stride + 1, stride, off * HASH_BYTES + 1, HASH_BYTES, asset, level, seg))
        if len(row) != 1 or not _node_ok(*row[0], stride):
            raise self._damaged(f"{asset} tree level {level} lacks node {index}")
        return row[0]

    def close(self) -> None:
        self._shards.close()
        self._db.close()


_UNITS = re.compile(r"0|[1-9][0-9]{0,39}")


_SIGNED = re.compile(r"-?(0|[1-9][0-9]{0,39})")


def _node_ok(c, h, stride: int = POINT_BYTES) -> bool:
    return isinstance(c, bytes) and isinstance(h, bytes) and len(c) == stride and len(h) == HASH_BYTES
