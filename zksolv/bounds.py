"""Why no proven relation can wrap modulo the group order (SPEC.md §6.5.1).

A range proof shows that a combination D = Σ k·x of committed and public values has a
residue mod n in [0, 2^bits). That says the *integer* Σ k·x is in [0, 2^bits) only if the
integer cannot wrap: its most negative possible value must stay more than n − 2^bits away
from 0, and its largest possible value below n. Every bound used for that is here, checked
by the prover before any work and by the verifier before any proof is believed.
"""

from math import gcd

from zksolv.errors import InputError
from zksolv.group import N

MAX_CAPACITY_BITS = 32          # leaves per tree ≤ 2^32 (SPEC.md §6.3)
LEAF_BITS = (64, 128)           # a leaf's range proof width
MAX_RESERVE_BITS = 120          # R < 2^120 base units per asset
MAX_RATIO_BITS = 32             # coverage p, q < 2^32
MAX_COEFFICIENT_BITS = 64       # any public coefficient of a statement: |k| < 2^64


def liabilities_bound(leaf_bits: int, capacity: int) -> int:
    """Exclusive upper bound of a tree's sum L once every leaf is proven in [0, 2^leaf_bits)."""
    if leaf_bits not in LEAF_BITS:
        raise InputError(f"leaf_bits must be one of {LEAF_BITS}, got {leaf_bits}")
    if capacity < 1 or capacity & (capacity - 1) or capacity > 1 << MAX_CAPACITY_BITS:
        raise InputError(f"capacity must be a power of two up to 2^{MAX_CAPACITY_BITS}, got {capacity}")
    return capacity * ((1 << leaf_bits) - 1) + 1


def check_ratio(p: int, q: int) -> None:
    """A coverage ratio p/q: 1 ≤ q ≤ p < 2^MAX_RATIO_BITS, in lowest terms (one spelling
    per ratio, and a bounded coefficient for every combination it enters)."""
    if not (isinstance(p, int) and isinstance(q, int)) or isinstance(p, bool) or isinstance(q, bool):
        raise InputError("a coverage ratio is two integers")
    if not 1 <= q <= p:
        raise InputError(f"coverage ratio {p}/{q} is below 1: it proves nothing")
    if p >= 1 << MAX_RATIO_BITS:
        raise InputError(f"coverage ratio {p}/{q}: p and q must be below 2^{MAX_RATIO_BITS}")
    if gcd(p, q) != 1:
        raise InputError(f"coverage ratio {p}/{q} is not in lowest terms")


def combination_interval(terms: list[tuple[int, int | None, int | None]],
                         coefficient_bits: int = MAX_COEFFICIENT_BITS) -> tuple[int, int]:
    """(lowest, highest) integer value of Σ k·x over (k, public value, bound) terms: a public
    term contributes exactly k·value; a committed one ranges over [0, bound). Margin
    statements (prices × scales × rates) pass a wider `coefficient_bits`."""
    low = high = 0
    for k, value, bound in terms:
        if abs(k) >> coefficient_bits:
            raise InputError(f"coefficient {k} exceeds 2^{coefficient_bits} in absolute value")
        if value is not None:
            low, high = low + k * value, high + k * value
        elif k >= 0:
            high += k * (bound - 1)
        else:
            low += k * (bound - 1)
    return low, high


def check_no_wrap(name: str, low: int, high: int, bits: int) -> None:
    """Sound iff no integer in [low, high] outside [0, 2^bits) has a residue in [0, 2^bits)."""
    if high >= N or low <= -(N - (1 << bits)):
        raise InputError(f"statement {name} could wrap modulo the group order "
                         f"(its value spans [{low}, {high}]); the proof would prove nothing")


def check_provable(name: str, high_honest: int, bits: int) -> None:
    """Completeness, for the prover: the value it will prove must fit the range."""
    if high_honest >= 1 << bits:
        raise InputError(f"statement {name}: its value can reach 2^{bits}, beyond what a {bits}-bit "
                         "range proof holds (fewer coverage decimals or smaller reserves)")
