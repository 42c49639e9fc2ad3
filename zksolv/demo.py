"""The demo round of the cryptographic core (README "Quick start").

Synthetic balances → Pedersen commitments → aggregated range proofs → bytes → batch
verification, the homomorphic total, and a tampered proof that must be rejected.
"""

import secrets
import time

from zksolv.commitments import commit
from zksolv.errors import InvalidProof, ZksolvError
from zksolv.group import Point, point_sum
from zksolv.rangeproof import RangeProof, Statement, batch_verify, prove
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript

CONTEXT = b"zksolv-demo"


def _transcript(chunk_index: int) -> Transcript:
    t = Transcript(b"zksolv/demo")
    t.append(b"context", CONTEXT)
    t.append_u64(b"chunk", chunk_index)
    return t


def _chunks(values: list[int], size: int) -> list[list[int]]:
    """Split into chunks of a power-of-two size, padding the last with zero balances."""
    m = 1 << (size - 1).bit_length()
    padded = values + [0] * (-len(values) % m)
    return [padded[i : i + m] for i in range(0, len(padded), m)]


def _prove_all(chunks, bits, report):
    proofs, blinding_total = [], 0
    with report.progress(chunks, "proving") as bar:
        for i, chunk in enumerate(bar):
            blindings = [random_scalar() for _ in chunk]
            blinding_total += sum(blindings)
            proof, V = prove(_transcript(i), chunk, blindings, bits)
            proofs.append((proof.to_bytes(), [v.to_bytes() for v in V]))
    return proofs, blinding_total


def _statements(proofs, bits):
    return [Statement(_transcript(i), RangeProof.from_bytes(p), [Point.from_bytes(v) for v in vs], bits)
            for i, (p, vs) in enumerate(proofs)]


def _tamper_rejected(proofs, bits) -> bool:
    data, vs = proofs[0]
    bad = bytearray(data)
    bad[secrets.randbelow(len(bad))] ^= 1 << secrets.randbelow(8)
    try:
        batch_verify(_statements([(bytes(bad), vs)], bits))
    except ZksolvError:
        return True
    return False


def run(users: int, bits: int, chunk: int, report) -> dict:
    """Run the demo and return its summary (also printed unless quiet)."""
    values = [secrets.randbelow(1 << min(bits, 40)) for _ in range(users)]
    chunks = _chunks(values, chunk)
    report.line(f"{users} balances, {len(chunks)} aggregated {bits}-bit range proofs of m={len(chunks[0])}")
    t0 = time.perf_counter()
    proofs, blinding_total = _prove_all(chunks, bits, report)
    t1 = time.perf_counter()
    statements = _statements(proofs, bits)
    batch_verify(statements)
    t2 = time.perf_counter()
    total = point_sum([v for s in statements for v in s.commitments])
    if total != commit(sum(values), blinding_total):
        raise InvalidProof("commitments do not sum to the committed total")
    rejected = _tamper_rejected(proofs, bits)
    summary = {
        "users": users, "bits": bits, "proofs": len(proofs), "m": len(chunks[0]),
        "proof_bytes": sum(len(p) for p, _ in proofs), "prove_seconds": round(t1 - t0, 3),
        "batch_verify_seconds": round(t2 - t1, 3), "homomorphic_total_ok": True,
        "tamper_rejected": rejected, "result": "valid",
    }
    report.line(f"proved in {summary['prove_seconds']} s ({summary['proof_bytes']} proof bytes); "
                f"batch-verified in {summary['batch_verify_seconds']} s")
    report.line("sum of commitments opens to the sum of balances: ok")
    report.line(f"tampered proof rejected: {'yes' if rejected else 'NO'}")
    return summary
