"""The private refusal report: which accounts are under-collateralized, at which prices, by
how much (SPEC.md §6.12.6). For the exchange only: it names users, so it is written 0600,
whole or not at all, and never over an existing file.
"""

import csv
import io
import os
import tempfile
from pathlib import Path

from zksolv.errors import InputError
from zksolv.market.fixed import format_fixed
from zksolv.market.reference import Shortfall

HEADER = ("user_id", "scenario", "shortfall", "quote")


def check_report_path(path) -> Path:
    """Refuse, before any work, a report path that exists or whose directory does not."""
    path = Path(path)
    if os.path.lexists(path):
        raise InputError(f"{path}: already exists; the refusal report is never overwritten")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such directory for the refusal report")
    return path


def report_text(shortfalls: list[Shortfall], quote: str, quote_decimals: int) -> str:
    """The CSV: one row per (account, failing scenario), shortfalls in whole quote units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for s in shortfalls:
        writer.writerow((s.user_id, s.scenario, format_fixed(s.minor_units, quote_decimals), quote))
    return out.getvalue()


def write_report(path, shortfalls: list[Shortfall], quote: str, quote_decimals: int) -> None:
    """Write the report with mode 0600 to a temporary file beside `path`, then link it into
    place: an existing file (even one created meanwhile) is never replaced."""
    path = check_report_path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(report_text(shortfalls, quote, quote_decimals))
            f.flush()
            os.fsync(f.fileno())
        _publish(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _publish(tmp: str, path: Path) -> None:
    """Atomically give `tmp` the name `path` unless `path` exists."""
    exists = InputError(f"{path}: already exists; the refusal report is never overwritten")
    try:
        os.link(tmp, path)  # fails if path exists: no window between check and rename
    except FileExistsError:
        raise exists from None
    except OSError:  # a file system without hard links: check again, then rename
        if os.path.lexists(path):
            raise exists from None
        os.replace(tmp, path)
