"""Regenerate zksolv's published test vectors (SPEC.md §7), deterministically.

    python vectors/generate.py            # rewrite vectors/*.json
    python vectors/generate.py --check    # exit 1 if any file would change (CI)

All randomness comes from a SHA-256 counter DRBG keyed by SEED, so the output is
byte-identical on every run. Never use that DRBG for anything but vectors.
"""

import argparse
import hashlib
import json
import pathlib
import sys

from zksolv.commitments import GENERATORS_DST, LABEL_G_VEC, LABEL_H, LABEL_H_VEC, LABEL_U, commit, derive
from zksolv.group import N, P, base_mul
from zksolv.rangeproof import prove
from zksolv.rangeproof.prover import _prove
from zksolv.commitments import generators
from zksolv.transcript import Transcript

FORMAT_VERSION = 1
SEED = b"zksolv vectors v1"
HERE = pathlib.Path(__file__).resolve().parent
RANGEPROOF_DOMAIN = b"zksolv/vectors"
CONTEXT_LABEL = b"context"


class Drbg:
    """SHA-256(seed ‖ u64 counter) blocks: reproducible, and only for vectors."""

    def __init__(self, seed: bytes):
        self.seed, self.counter = seed, 0

    def scalar(self) -> int:
        while True:
            self.counter += 1
            block = hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            value = int.from_bytes(block, "big")
            if 0 < value < N:
                return value


def _file(algorithm: str, notes: dict, tests: list) -> dict:
    for i, t in enumerate(tests, 1):
        t["tc_id"] = i
    return {"algorithm": algorithm, "format_version": FORMAT_VERSION,
            "generator": "vectors/generate.py", "notes": notes, "numberOfTests": len(tests),
            "tests": tests}


def _case(comment, result, flags=(), **fields):
    return {"comment": comment, "result": result, "flags": list(flags), **fields}


def encodings(rng: Drbg) -> dict:
    """Scalars and points: canonical ones decode, everything else is refused."""
    k = rng.scalar()
    pt = base_mul(k).to_bytes()
    x_off = next(x for x in range(5, 100) if pow(x**3 + 7, (P - 1) // 2, P) != 1)
    tests = [
        _case("scalar zero", "valid", kind="scalar", data=bytes(32).hex()),
        _case("scalar n−1", "valid", kind="scalar", data=(N - 1).to_bytes(32, "big").hex()),
        _case("random scalar", "valid", kind="scalar", data=k.to_bytes(32, "big").hex()),
        _case("scalar n", "invalid", ["ScalarOverflow"], kind="scalar", data=N.to_bytes(32, "big").hex()),
        _case("scalar 2^256−1", "invalid", ["ScalarOverflow"], kind="scalar", data="ff" * 32),
        _case("scalar 31 bytes", "invalid", ["WrongLength"], kind="scalar", data="01" * 31),
        _case("scalar 33 bytes", "invalid", ["WrongLength"], kind="scalar", data="00" * 33),
        _case("generator G", "valid", kind="point", data=base_mul(1).to_bytes().hex()),
        _case("random point", "valid", kind="point", data=pt.hex()),
        _case("odd y of the same x", "valid", kind="point", data=(bytes([pt[0] ^ 1]) + pt[1:]).hex()),
        _case("uncompressed prefix 04", "invalid", ["BadPrefix"], kind="point", data=("04" + pt[1:].hex())),
        _case("hybrid prefix 06", "invalid", ["BadPrefix"], kind="point", data=("06" + pt[1:].hex())),
        _case("prefix 00 (identity)", "invalid", ["Identity"], kind="point", data="00" * 33),
        _case("x = p", "invalid", ["XNotBelowP"], kind="point", data="02" + P.to_bytes(32, "big").hex()),
        _case("x = p + 1", "invalid", ["XNotBelowP"], kind="point", data="03" + (P + 1).to_bytes(32, "big").hex()),
        _case("x not on curve", "invalid", ["NotOnCurve"], kind="point", data="02" + x_off.to_bytes(32, "big").hex()),
        _case("32-byte point", "invalid", ["WrongLength"], kind="point", data=pt[:32].hex()),
        _case("65-byte uncompressed point", "invalid", ["WrongLength"], kind="point",
              data=("04" + base_mul(k).affine()[0].to_bytes(32, "big").hex()
                    + base_mul(k).affine()[1].to_bytes(32, "big").hex())),
    ]
    notes = {"ScalarOverflow": "scalar ≥ n", "WrongLength": "not 32/33 bytes",
             "BadPrefix": "point prefix other than 02/03", "Identity": "the identity is never encoded",
             "XNotBelowP": "x ≥ p", "NotOnCurve": "no point with this x"}
    return _file("zksolv-encodings", notes, tests)


def hash_to_curve_vectors(rng: Drbg) -> dict:
    """The zksolv generators: hash_to_curve(label ‖ u32be(i), GENERATORS_DST)."""
    tests = []
    for label in (LABEL_H, LABEL_U):
        tests.append(_case(label.decode(), "valid", msg=label.hex(), point=derive(label).to_bytes().hex()))
    for label in (LABEL_G_VEC, LABEL_H_VEC):
        for i in (0, 1, 2, 255, 4095):
            msg = label + i.to_bytes(4, "big")
            tests.append(_case(f"{label.decode()}[{i}]", "valid", msg=msg.hex(),
                               point=derive(label, i).to_bytes().hex()))
    return _file("zksolv-generators", {"dst": GENERATORS_DST.decode()}, tests)


def commitment_vectors(rng: Drbg) -> dict:
    """Pedersen commitments C = v·G + r·H; invalid rows pair C with another opening."""
    tests = []
    for v in (0, 1, 2**64 - 1, 10**18):
        r = rng.scalar()
        c = commit(v, r).to_bytes().hex()
        tests.append(_case(f"v = {v}", "valid", value=str(v), blinding=f"{r:064x}", commitment=c))
        tests.append(_case(f"v = {v}, value off by one", "invalid", ["WrongOpening"],
                           value=str(v + 1), blinding=f"{r:064x}", commitment=c))
        tests.append(_case(f"v = {v}, blinding off by one", "invalid", ["WrongOpening"],
                           value=str(v), blinding=f"{(r + 1) % N:064x}", commitment=c))
    return _file("zksolv-pedersen", {"WrongOpening": "the commitment is not to this (v, r)"}, tests)


def transcript_vectors(rng: Drbg) -> dict:
    """Challenges after a sequence of appends (SPEC.md §4)."""
    sequences = [
        ("zksolv/test", [["append", "", ""], ["challenge", "x"]]),
        ("zksolv/test", [["append", "ab", "63"], ["challenge", "x"]]),
        ("zksolv/test", [["append", "a", "6263"], ["challenge", "x"]]),
        ("zksolv/rangeproof/v1", [["append", "V", base_mul(rng.scalar()).to_bytes().hex()],
                                  ["challenge", "y"], ["challenge", "z"]]),
    ]
    tests = []
    for domain, ops in sequences:
        t = Transcript(domain.encode())
        challenges = []
        for op in ops:
            if op[0] == "append":
                t.append(op[1].encode(), bytes.fromhex(op[2]))
            else:
                challenges.append(f"{t.challenge_scalar(op[1].encode()):064x}")
        tests.append(_case(f"{domain}: {len(ops)} operations", "valid", domain=domain, ops=ops,
                           challenges=challenges))
    return _file("zksolv-transcript", {"ops": "append: [label utf-8, data hex]; challenge: [label]"}, tests)


def rangeproof_transcript(context: bytes) -> Transcript:
    t = Transcript(RANGEPROOF_DOMAIN)
    t.append(CONTEXT_LABEL, context)
    return t


def _proof_case(comment, result, flags, n, context, commitments, proof_bytes):
    return _case(comment, result, flags, n=n, m=len(commitments), context=context.hex(),
                 commitments=[c.hex() for c in commitments], proof=proof_bytes.hex())


def _flip(data: bytes, index: int) -> bytes:
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


def rangeproof_vectors(rng: Drbg) -> dict:
    """Valid aggregated proofs and the ways a proof can be wrong."""
    tests = []
    context = b"acme-2026-11-21"
    for n, m in ((8, 1), (16, 2), (32, 4), (64, 1), (64, 2), (128, 1)):
        values = [(rng.scalar() % (1 << n)) for _ in range(m)]
        values[0] = (1 << n) - 1
        blindings = [rng.scalar() for _ in range(m)]
        proof, V = prove(rangeproof_transcript(context), values, blindings, n, rng=rng.scalar)
        enc = [v.to_bytes() for v in V]
        data = proof.to_bytes()
        tests.append(_proof_case(f"n={n} m={m}", "valid", [], n, context, enc, data))
        if (n, m) != (16, 2):
            continue
        for name, index in (("A", 0), ("T2", 3 * 33 + 5), ("t_x", 4 * 33 + 31), ("L_0", 4 * 33 + 96 + 7),
                            ("a", len(data) - 33), ("b", len(data) - 1)):
            tests.append(_proof_case(f"flipped bit in {name}", "invalid", ["ModifiedProof"], n, context,
                                     enc, _flip(data, index)))
        tests.append(_proof_case("flipped bit in V_1", "invalid", ["ModifiedCommitment"], n, context,
                                 [enc[0], _flip(enc[1], 20)], data))
        tests.append(_proof_case("commitments swapped", "invalid", ["ModifiedCommitment"], n, context,
                                 enc[::-1], data))
        tests.append(_proof_case("other attestation context", "invalid", ["WrongContext"], n,
                                 b"acme-2026-11-22", enc, data))
        tests.append(_proof_case("declared n = 32 with one commitment", "invalid", ["WrongParameters"],
                                 32, context, enc[:1], data))
        tests.append(_proof_case("truncated by one byte", "invalid", ["BadEncoding"], n, context, enc,
                                 data[:-1]))
        overflow = data[: 4 * 33] + N.to_bytes(32, "big") + data[4 * 33 + 32 :]
        tests.append(_proof_case("t_x = n (non-canonical)", "invalid", ["BadEncoding"], n, context, enc,
                                 overflow))
    for value, comment in (((1 << 16), "value 2^16 with n = 16"), (N - 1, "value −1 with n = 16")):
        proof, V = _prove(rangeproof_transcript(context), [value, 5], [rng.scalar(), rng.scalar()], 16,
                          generators(), rng.scalar)
        tests.append(_proof_case(comment, "invalid", ["OutOfRange"], 16, context,
                                 [v.to_bytes() for v in V], proof.to_bytes()))
    notes = {"transcript": f"Transcript({RANGEPROOF_DOMAIN.decode()!r}) then append({CONTEXT_LABEL.decode()!r}, context)",
             "ModifiedProof": "one bit of the proof flipped", "ModifiedCommitment": "V changed",
             "WrongContext": "verified under another context", "WrongParameters": "n or m not the proven ones",
             "BadEncoding": "not a canonical proof encoding", "OutOfRange": "a committed value outside [0, 2^n)"}
    return _file("zksolv-bulletproofs-aggregated", notes, tests)


BUILDERS = {
    "encodings.json": encodings,
    "generators.json": hash_to_curve_vectors,
    "pedersen.json": commitment_vectors,
    "transcript.json": transcript_vectors,
    "rangeproof.json": rangeproof_vectors,
}


def render() -> dict[str, str]:
    rng = Drbg(SEED)
    return {name: json.dumps(build(rng), indent=1, ensure_ascii=False) + "\n" for name, build in BUILDERS.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if any vector file would change")
    args = parser.parse_args()
    stale = []
    for name, text in render().items():
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"vectors out of date: {', '.join(stale)} (run python vectors/generate.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
