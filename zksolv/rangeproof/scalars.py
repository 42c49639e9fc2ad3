"""Scalar-vector helpers for the range proof, on plain ints modulo n (hot path)."""

import secrets

from zksolv.group import N


def random_scalar() -> int:
    """A uniform nonzero scalar from the OS CSPRNG."""
    return 1 + secrets.randbelow(N - 1)


def powers(base: int, count: int) -> list[int]:
    """[1, base, base², …] of length `count`, mod n."""
    out, acc = [], 1
    for _ in range(count):
        out.append(acc)
        acc = acc * base % N
    return out


def inner(xs: list[int], ys: list[int]) -> int:
    """<xs, ys> mod n."""
    return sum(x * y for x, y in zip(xs, ys)) % N


def batch_invert(xs: list[int]) -> list[int]:
    """Inverses of nonzero scalars with one exponentiation (Montgomery's trick)."""
    prefix, acc = [], 1
    for x in xs:
        prefix.append(acc)
        acc = acc * x % N
    inv = pow(acc, -1, N)
    out = [0] * len(xs)
    for i in range(len(xs) - 1, -1, -1):
        out[i] = prefix[i] * inv % N
        inv = inv * xs[i] % N
    return out
