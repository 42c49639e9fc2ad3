"""`verify URL` and `audit URL`: an attestation published at an fsspec URL (issue 14 item 3;
SPEC.md §6.10, README "Checking an attestation on a cluster").

The small files a check parses — `manifest.json` and `exchange-signature.json` — are
fetched into a private temporary directory (0700, files 0600), each read up to its bound
plus one byte (the local check then refuses an oversized one exactly as it refuses a local
file), and checked there; an object that is not a file (a "directory" prefix) is refused.
The audit files are read at the URL itself (auditsource.py): by this process, and on a
cluster by the work units. A margin round's `margin.audit` is fetched too, bounded by the
size its manifest publishes. Every message names the URL, never the temporary copy.
"""

from contextlib import contextmanager
from pathlib import Path

from zksolv import storage
from zksolv.attestation import exchange, manifest as manifest_module
from zksolv.errors import InputError, ZksolvError
from zksolv.strictjson import one_line

SMALL_FILES = ((manifest_module.FILE, "manifest", manifest_module.MAX_BYTES),
               (exchange.FILE, "exchange signature", exchange.MAX_BYTES))


@contextmanager
def local_view(directory):
    """`directory` itself if it is local; for a URL a private local directory holding its
    small files, errors raised inside naming the URL instead of that directory."""
    if not storage.is_url(str(directory)):
        yield directory
        return
    url = str(directory).rstrip("/")
    with storage.private_dir() as tmp:
        try:
            for name, what, limit in SMALL_FILES:
                fetch(url, name, what, tmp, limit)
            yield tmp
        except ZksolvError as exc:
            raise type(exc)(str(exc).replace(str(tmp), url)) from None


def fetch(url: str, name: str, what: str, into: Path, limit: int) -> None:
    """Copy the object `url/name` into `into/name`, at most `limit` + 1 bytes; an absent
    object is left absent (the local check says it is missing)."""
    fs, root = storage.filesystem(url)
    shown = one_line(f"{url}/{name}", 200)
    try:
        if not fs.exists(f"{root}/{name}"):
            return
        if fs.info(f"{root}/{name}").get("type") != "file":
            raise InputError(f"{shown}: {what} is not a regular file")
        storage.download(fs, f"{root}/{name}", into / name, limit)
    except InputError:
        raise
    except Exception as exc:   # each backend raises its own errors
        raise InputError(f"{shown}: cannot read {what} ({storage.why(exc)})") from None

