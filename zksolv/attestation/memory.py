"""Refuse, before any work, a tree too large for this machine's memory (issue 10: a
documented maximum must give a clear error, never an internal one).

Building a tree keeps per leaf its sort key, compact records and tree levels: about 405
bytes of RSS a spot leaf, measured (bench/RESULTS.md, "build memory"); 512 is assumed. A
margin leaf keeps its commitments and proofs: 8 KiB is assumed (a 5-asset leaf is 4.4 KB).
"""

import resource

from zksolv.errors import InputError

SPOT_LEAF_BYTES = 512
MARGIN_LEAF_BYTES = 8 << 10


def available() -> int | None:
    """Bytes this process may still use: the smaller of the kernel's MemAvailable and the
    address-space limit, or None where neither is known."""
    known = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    known.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError):
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        known.append(soft)
    return min(known) if known else None


def check(option: str, capacity: int, bytes_per_leaf: int) -> None:
    """InputError when `capacity` leaves would need more memory than is available."""
    need, have = capacity * bytes_per_leaf, available()
    if have is not None and need > have:
        raise InputError(f"{option} {capacity}: building that tree needs about {_size(need)} of memory, "
                         f"this machine has {_size(have)} available")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
