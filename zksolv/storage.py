"""Where a cluster round's shards live (issue 14; SPEC.md §6.9.1): a local directory (one
machine, or a filesystem every worker mounts) or any fsspec URL the workers reach
(`s3://bucket/round-7`, `gs://…`, `abfs://…`, `file:///…`).

A shard is an SQLite file, and SQLite cannot update an object in place. So on a URL a
subtree task works on a local copy in a private temporary directory (0700, the copy 0600:
a shard de-anonymizes its leaves) and publishes it: every CHECKPOINT_CHUNKS chunk proofs
as `.NAME.ckpt`, and once finished as `NAME`. Each upload is written under a name of its
own and then moved onto its target, so a reader never takes a partial upload for a shard;
and a shard under its final name counts only if its `status` is complete and its tag is
this round's (shard.py). A task that starts again (a worker killed, a coordinator
restarted) resumes from the finished shard, else from the checkpoint, else from nothing.

The coordinator reads finished shards to assemble the audit files, and `inclusion` reads
one: from a URL each is fetched into a local directory (0700) and checked before use.
"""

import os
import re
import secrets
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path

from zksolv import shard as shard_module
from zksolv.errors import InputError
from zksolv.strictjson import one_line

CHECKPOINT_CHUNKS = 16
"""Chunk proofs between two checkpoint uploads of a shard being proved on a URL (at m = 64
about 2 s·core of proving each; a worker killed loses at most that)."""
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_CHECKPOINT = ".{}.ckpt"
_OURS = re.compile(r"\.{0,2}([^.]+\.db)(\.[a-z]+(-[0-9a-f]+)?){0,2}")


def is_url(location) -> bool:
    """A location given as `protocol://…` goes through fsspec; anything else is a local path."""
    return isinstance(location, str) and _URL.match(location) is not None


def location_for(option: str | None, state_path, recorded: str | None) -> str:
    """The round's shard location: `--shards` if given, else the one the state recorded
    when the round began, else `<state>.d`. A resumed round keeps the place it began with."""
    if recorded is not None and option is not None and _normal(option) != _normal(recorded):
        raise InputError(f"--shards {one_line(option, 200)}: the round in {state_path} keeps its shards in "
                         f"{one_line(recorded, 200)}; give that --shards, or none")
    if option is not None:
        return _normal(option)
    return recorded if recorded is not None else str(shard_module.directory_of(state_path))


def for_round(option: str | None, state_path, meta: dict, resumed: bool) -> tuple[str, dict]:
    """(location, the round's metadata recording it): a fresh round records `--shards` if
    given; a resumed one keeps its own (default `<state>.d`). A URL is probed before any
    work, so that an unreachable one is refused at once."""
    recorded = meta.get("shards", str(shard_module.directory_of(state_path))) if resumed else None
    location = location_for(option, state_path, recorded)
    if is_url(location):
        probe(location)
    return location, (meta if resumed or option is None else {**meta, "shards": location})


def _normal(option: str) -> str:
    """A URL without a trailing slash; a local path made absolute (so the state's record
    still holds when the command runs from another directory)."""
    return option.rstrip("/") if is_url(option) else str(Path(option).absolute())


def local_dir(option: str | None, state_path) -> Path | None:
    """The local shard directory `prove` must check before any work, or None for a URL."""
    location = location_for(option, state_path, None)
    return None if is_url(location) else Path(location)


def filesystem(url: str):
    """(fsspec filesystem, root path) of a URL; a URL fsspec cannot serve is an InputError."""
    try:
        import fsspec.core
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise InputError(f"{one_line(url, 200)}: this URL needs a package not installed "
                         f"({one_line(str(exc), 120)})") from None
    except Exception as exc:   # ValueError (unknown protocol) or whatever the backend raises
        raise InputError(f"{one_line(url, 200)}: not a usable storage location ({why(exc)})") from None


def why(exc: BaseException) -> str:
    return one_line(f"{type(exc).__name__}: {exc}", 160)


def probe(url: str, option: str = "--shards") -> None:
    """Before any proving: write, read back and remove a small object at the URL, so that an
    unreachable or refusing location is one InputError now, not a failed task later."""
    fs, root = filesystem(url)
    name = f"{root}/.zksolv-probe-{secrets.token_hex(8)}"
    try:
        fs.makedirs(root, exist_ok=True)
        fs.pipe_file(name, b"zksolv")
        ok = fs.cat_file(name) == b"zksolv"
        fs.rm_file(name)
    except Exception as exc:   # each backend raises its own errors
        raise InputError(f"{option} {one_line(url, 200)}: cannot write there ({why(exc)})") from None
    if not ok:
        raise InputError(f"{option} {one_line(url, 200)}: an object written there does not read back")


def names(fs, root: str) -> list[str]:
    try:
        return [p.rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(root, detail=False)]
    except FileNotFoundError:
        return []


def prepare(url: str, resumed: bool, force: bool) -> None:
    """A fresh round's URL must hold no shard (`--force`, which replaces the state, removes
    those of the round replaced); a resumed round keeps them."""
    fs, root = filesystem(url)
    try:
        found = [n for n in names(fs, root) if _is_ours(n)]
        if found and not resumed:
            if not force:
                raise InputError(f"{one_line(url, 200)}: holds shards of another round (use --force to replace them)")
            fs.rm([f"{root}/{n}" for n in found])
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"--shards {one_line(url, 200)}: cannot list or clear it ({why(exc)})") from None


def _is_ours(name: str) -> bool:
    """A shard, a checkpoint, or an upload left by a killed worker."""
    found = _OURS.fullmatch(name)
    return found is not None and shard_module.is_shard_name(found[1])


def sweep(location: str) -> None:
    """Once every subtree task of a round has finished: remove what killed workers left on a
    URL (uploads cut short, checkpoints of shards since finished), so that the location
    holds the round's shards and nothing else."""
    if not is_url(location):
        return
    fs, root = filesystem(location)
    try:
        leftovers = [f"{root}/{n}" for n in names(fs, root) if _is_ours(n) and not shard_module.is_shard_name(n)]
        if leftovers:
            fs.rm(leftovers)
    except Exception as exc:   # each backend raises its own errors
        raise InputError(f"--shards {one_line(location, 200)}: cannot remove what killed workers left there "
                         f"({why(exc)}); run the same command again") from None


def chunks_in(location: str, chunks_per_shard: dict[str, int]) -> int:
    """Chunk proofs already made in a location (a resumed round reports them): a finished
    shard on a URL counts whole (`chunks_per_shard`: by hex asset name), a checkpoint is
    read (at most one per task that was running)."""
    if not is_url(location):
        return shard_module.chunks_in(location)
    fs, root = filesystem(location)
    try:
        total, present = 0, set(names(fs, root))
        for name in present:
            if shard_module.is_shard_name(name):
                total += chunks_per_shard.get(name.split("-", 1)[0], 0)
            elif name.endswith(".ckpt") and name[1:-5] not in present and shard_module.is_shard_name(name[1:-5]):
                with private_dir() as tmp:
                    total += _count_chunks(download(fs, f"{root}/{name}", tmp / "c.db"))
    except Exception as exc:   # each backend raises its own errors
        raise InputError(f"--shards {one_line(location, 200)}: cannot read it ({why(exc)})") from None
    return total


def _count_chunks(path: Path) -> int:
    """A checkpoint's chunk proofs; 0 for a damaged copy (its task starts that subtree afresh)."""
    try:
        return shard_module.chunk_count(path)
    except (InputError, sqlite3.DatabaseError):
        return 0


@contextmanager
def private_dir():
    """A temporary directory only this user reads (mkdtemp makes it 0700), removed after."""
    path = Path(tempfile.mkdtemp(prefix="zksolv-shard-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def download(fs, remote: str, local: Path, limit: int | None = None) -> Path:
    """Copy an object into `local` (created 0600 before any byte lands in it); with `limit`,
    at most `limit` + 1 bytes (enough for the reader to refuse an oversized file)."""
    bound, copied = (None if limit is None else limit + 1), 0
    with open(os.open(local, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        with fs.open(remote, "rb") as source:
            while bound is None or copied < bound:
                block = source.read(1 << 20 if bound is None else min(1 << 20, bound - copied))
                if not block:
                    break
                out.write(block)
                copied += len(block)
    return local


def upload(fs, local: Path, remote: str) -> None:
    """Publish `local` as `remote` whole: written under a name of its own, then moved."""
    root, name = remote.rsplit("/", 1)
    staging = f"{root}/.{name}.up-{secrets.token_hex(8)}"
    fs.put_file(str(local), staging)
    fs.mv(staging, remote)


@contextmanager
def working_shard(location: str, asset: str, k: int, tag: bytes):
    """The shard a subtree task proves into (`shard.Shard`'s methods): in place in a local
    directory; on a URL a local copy, resumed from what the URL holds and published as it
    goes (checkpoints, then the finished shard)."""
    if not is_url(location):
        shard = shard_module.Shard.open(shard_module.path_of(location, asset, k), tag)
        try:
            yield shard
        finally:
            shard.close()
        return
    fs, root = filesystem(location)
    name = shard_module.path_of("", asset, k).name
    with private_dir() as tmp:
        local = tmp / name
        try:
            fs.makedirs(root, exist_ok=True)
            _resume_from(fs, root, name, local, tag)
        except InputError:
            raise
        except Exception as exc:   # each backend raises its own errors
            raise InputError(f"{one_line(location, 200)}: cannot read shard {name} ({why(exc)}); run the "
                             "same command again once the storage is fixed") from None
        shard = _Published(shard_module.Shard.open(local, tag), fs, location, root, name)
        try:
            yield shard
        finally:
            shard.close()


def _resume_from(fs, root: str, name: str, local: Path, tag: bytes) -> None:
    """Fill `local` with the finished shard if the URL holds it, else with its checkpoint,
    else leave it absent (a fresh start). A copy that is not a whole shard is ignored; a
    shard of another round is refused, as in a local directory."""
    for remote, wanted in ((f"{root}/{name}", (shard_module.COMPLETE,)),
                           (f"{root}/{_CHECKPOINT.format(name)}", (shard_module.PROVING, shard_module.COMPLETE))):
        if not fs.exists(remote):
            continue
        condition = _condition(download(fs, remote, local), tag)
        if condition == "foreign":
            raise InputError(f"{one_line(remote, 200)}: a shard of another round; remove it or give the round "
                             "its own --shards")
        if condition in wanted:
            return
        local.unlink()


def _tag_of(path: Path) -> bytes | None:
    """The tag a local shard copy records; None if it cannot be read."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'tag'").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _condition(path: Path, tag: bytes) -> str:
    """`complete` or `proving` for a whole shard of this round and place, `foreign` for one
    of another, `damaged` for anything else (a truncated copy, not SQLite)."""
    try:
        db = sqlite3.connect(path)
        try:
            if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                return "damaged"
            meta = dict(db.execute("SELECT key, value FROM meta"))
        finally:
            db.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return "damaged"
    if meta.get("tag") != tag:
        return "foreign"
    status = meta.get("status")
    return status if status in (shard_module.PROVING, shard_module.COMPLETE) else "damaged"


class _Published:
    """A local shard whose progress is published to the URL: a checkpoint every
    CHECKPOINT_CHUNKS chunk proofs, the shard under its final name once finished."""

    def __init__(self, shard, fs, location: str, root: str, name: str):
        self._shard, self._fs, self._location, self._root, self._name = shard, fs, location, root, name
        self._unsaved = 0

    def summary(self):
        return self._shard.summary()

    def done(self) -> set[int]:
        return self._shard.done()

    def chunks(self) -> list[bytes]:
        return self._shard.chunks()

    def save_chunk(self, index: int, proof: bytes) -> None:
        self.save_chunks([(index, proof)])

    def save_chunks(self, chunks: list[tuple[int, bytes]]) -> None:
        self._shard.save_chunks(chunks)
        self._unsaved += len(chunks)
        if self._unsaved >= CHECKPOINT_CHUNKS:
            self._publish(_CHECKPOINT.format(self._name))

    def finish(self, leaves, levels, audit_leaves: bytes, summary: dict) -> None:
        self._shard.finish(leaves, levels, audit_leaves, summary)
        self._publish(self._name)
        try:
            self._fs.rm_file(f"{self._root}/{_CHECKPOINT.format(self._name)}")
        except FileNotFoundError:
            pass

    def _publish(self, name: str) -> None:
        try:
            upload(self._fs, self._shard.path, f"{self._root}/{name}")
        except Exception as exc:   # each backend raises its own errors
            raise InputError(f"{one_line(self._location, 200)}: cannot publish shard {name} ({why(exc)}); run the "
                             "same command again once the storage is fixed") from None
        self._unsaved = 0

    def close(self) -> None:
        self._shard.close()


class Shards:
    """The finished shards of a round, for the coordinator (audit files) and `inclusion`:
    local paths, in place or (a URL) fetched into `cache` and checked first."""

    def __init__(self, location: str, master: bytes, inputs: str, cache: Path | None = None):
        self.location, self._master, self._inputs, self._cache = location, master, inputs, cache

    @classmethod
    def of_state(cls, state_path, meta: dict) -> "Shards":
        """Those of a state's round: where it recorded them, cached in `<state>.cache/`."""
        recorded = meta.get("shards")
        if recorded is not None and not (isinstance(recorded, str) and recorded):
            raise InputError(f"{one_line(str(state_path), 200)}: damaged state file: meta shards is not text")
        location = location_for(None, state_path, recorded)
        return cls(location, meta["master_secret"], meta["inputs"], Path(f"{state_path}.cache"))

    def cached(self, asset: str, k: int) -> Path:
        """A local path to the finished shard of subtree `k`: fetched once into the cache,
        and fetched again if the copy there is of another round (its tag, one row read)."""
        if not is_url(self.location):
            return shard_module.path_of(self.location, asset, k)
        path = shard_module.path_of(self._cache, asset, k)
        if path.exists() and _tag_of(path) != shard_module.tag(self._master, self._inputs, asset, k):
            path.unlink()   # a replaced round's copy (`prove --force` with the same state)
        if not path.exists():
            try:
                self._cache.mkdir(mode=0o700, exist_ok=True)
            except OSError as exc:
                raise InputError(f"{one_line(str(self._cache), 200)}: cannot keep fetched shards there "
                                 f"({why(exc)})") from None
            self._fetch(asset, k, path)
        return path

    def each(self, asset: str, ks):
        """Local paths to the finished shards `ks` in order, each fetched (from a URL) into a
        private temporary directory only while it is used."""
        if not is_url(self.location):
            yield from (shard_module.path_of(self.location, asset, k) for k in ks)
            return
        with private_dir() as tmp:
            for k in ks:
                path = self._fetch(asset, k, shard_module.path_of(tmp, asset, k))
                yield path
                path.unlink()

    def _fetch(self, asset: str, k: int, path: Path) -> Path:
        """Download one finished shard beside `path`, check it whole, of this round and
        place and complete, then move it onto `path`."""
        fs, root = filesystem(self.location)
        name = path.name
        staging = path.with_name(f".{name}.{secrets.token_hex(8)}")
        try:
            download(fs, f"{root}/{name}", staging)
        except Exception as exc:
            staging.unlink(missing_ok=True)
            raise InputError(f"{one_line(self.location, 200)}: cannot fetch shard {name} ({why(exc)})") from None
        condition = _condition(staging, shard_module.tag(self._master, self._inputs, asset, k))
        if condition != shard_module.COMPLETE:
            staging.unlink()
            raise InputError(f"{one_line(self.location, 200)}/{name}: not a finished shard of this round "
                             f"({condition})")
        os.replace(staging, path)
        return path
