"""Shared pieces of the margin-account tests: a small market, leaf contexts, and a cheating
prover built from the library's own primitives (DESIGN §11's attacks)."""

from zksolv.accounts import keys, layout, leaf
from zksolv.commitments import generators
from zksolv.group import N
from zksolv.market import AssetTerms, Scenario, coefficients
from zksolv.rangeproof import prover
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript

BTC = 10**8            # base units of one BTC (8 decimals)
USDT = 10**6           # base units of one USDT (6 decimals)
MASTER = bytes(range(32))
SECRET = bytes(range(32, 64))


def market(scenarios=(), mu_bp=10_000):
    """BTC at 100.00: its first 1 BTC counts 95 %, the next 9 BTC 80 %, the rest 50 %.
    DOGE at 0.01 counts 0 % (the dummy user's coin). USDT at 1.00 counts 100 %."""
    terms = {"BTC": AssetTerms(100_00, ((BTC, 9500), (10 * BTC, 8000), (None, 5000))),
             "DOGE": AssetTerms(1, ((None, 0),)),
             "USDT": AssetTerms(1_00, ((None, 10_000),))}
    return coefficients(terms, {"BTC": 8, "DOGE": 8, "USDT": 6}, mu_bp, tuple(scenarios))


CRASH = Scenario("crash", {"BTC": 6000})    # BTC −40 %


def round_layout(scenarios=(), leaf_bits=None, mu_bp=10_000):
    coeffs = market(scenarios, mu_bp)
    return layout.build(coeffs, leaf_bits or {a: 64 for a in coeffs.assets})


def context(index: int = 0, attestation_id: str = "round-1", market_digest: bytes = b"\x11" * 32):
    """The caller's transcript factory of one leaf (attestation id, circuits, market digest,
    statement, leaf index)."""
    def make() -> Transcript:
        t = Transcript(b"zksolv/attestation/v1")
        t.append(b"attestation-id", attestation_id.encode())
        t.append(b"circuits", b"\x22" * 32)
        t.append(b"market", market_digest)
        t.append(b"statement", b"margin_leaf")
        t.append_u64(b"index", index)
        return t
    return make


def honest(lay, units, user_id="alice", index=0):
    key, id_hash = keys.customer(SECRET, user_id)
    return leaf.prove_leaf(lay, key, id_hash, units, context(index))


# -- the cheating prover ----------------------------------------------------------------------

def unchecked_prove(transcript, values, blindings, n, backend=None, rng=random_scalar):
    """The library's range-proof protocol without its range check: what a cheater runs on
    values that are not in [0, 2^n) (their residues mod n)."""
    return prover._prove(transcript, [v % N for v in values], list(blindings), n, generators(backend), rng)


def residue_split(value: int, k: int) -> list[int]:
    """The limbs a cheater claims for `value` taken mod n: the low k − 1 limbs of the
    residue, the top limb everything above them (out of range when the residue is big)."""
    r = value % N
    mask = (1 << 64) - 1
    return [(r >> (64 * i)) & mask for i in range(k - 1)] + [r >> (64 * (k - 1))]


def cheat(lay, slot_values, index=0, user_id="mallory"):
    """A leaf proven over arbitrary slot values (negative ones taken mod n), every claim
    split as residues and proven without range checks."""
    key, id_hash = keys.customer(SECRET, user_id)
    opened = leaf.open_leaf(lay, key, id_hash, slot_values, split=residue_split)
    return leaf.prove_opening(opened, context(index), prove=unchecked_prove)
