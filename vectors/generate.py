"""Regenerate zksolv's published test vectors (SPEC.md §7), deterministically.

    python vectors/generate.py            # rewrite vectors/*.json
    python vectors/generate.py --check    # exit 1 if any file would change (CI)

All randomness comes from zksolv's keyed nonce stream (roundkeys.NonceStream) under the
public key SHA-256(SEED), so the output is byte-identical on every run.
"""

import argparse
import base64
import hashlib
import json
import pathlib
import sys

from zksolv import roundkeys, tree
from zksolv.commitments import GENERATORS_DST, LABEL_G_VEC, LABEL_H, LABEL_H_VEC, LABEL_U, commit, derive
from zksolv.group import N, P, Point, base_mul
from zksolv.hashing import id_hash, leaf_hash
from zksolv.reserves import control_message, signing
from zksolv.roundkeys import NonceStream
from zksolv.rangeproof import prove
from zksolv.rangeproof.prover import _prove
from zksolv.commitments import generators
from zksolv.transcript import Transcript

FORMAT_VERSION = 1
SEED = b"zksolv vectors v1"
HERE = pathlib.Path(__file__).resolve().parent
RANGEPROOF_DOMAIN = b"zksolv/vectors"
CONTEXT_LABEL = b"context"


def seeded_stream() -> NonceStream:
    """The vectors' only randomness: zksolv's keyed nonce stream under a public seed."""
    return NonceStream(hashlib.sha256(SEED).digest())


def _file(algorithm: str, notes: dict, tests: list) -> dict:
    for i, t in enumerate(tests, 1):
        t["tc_id"] = i
    return {"algorithm": algorithm, "format_version": FORMAT_VERSION,
            "generator": "vectors/generate.py", "notes": notes, "numberOfTests": len(tests),
            "tests": tests}


def _case(comment, result, flags=(), **fields):
    return {"comment": comment, "result": result, "flags": list(flags), **fields}


def encodings(rng: NonceStream) -> dict:
    """Scalars and points: canonical ones decode, everything else is refused."""
    k = rng()
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


def hash_to_curve_vectors(rng: NonceStream) -> dict:
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


def commitment_vectors(rng: NonceStream) -> dict:
    """Pedersen commitments C = v·G + r·H; invalid rows pair C with another opening."""
    tests = []
    for v in (0, 1, 2**64 - 1, 10**18):
        r = rng()
        c = commit(v, r).to_bytes().hex()
        tests.append(_case(f"v = {v}", "valid", value=str(v), blinding=f"{r:064x}", commitment=c))
        tests.append(_case(f"v = {v}, value off by one", "invalid", ["WrongOpening"],
                           value=str(v + 1), blinding=f"{r:064x}", commitment=c))
        tests.append(_case(f"v = {v}, blinding off by one", "invalid", ["WrongOpening"],
                           value=str(v), blinding=f"{(r + 1) % N:064x}", commitment=c))
    return _file("zksolv-pedersen", {"WrongOpening": "the commitment is not to this (v, r)"}, tests)


def transcript_vectors(rng: NonceStream) -> dict:
    """Challenges after a sequence of appends (SPEC.md §4)."""
    sequences = [
        ("zksolv/test", [["append", "", ""], ["challenge", "x"]]),
        ("zksolv/test", [["append", "ab", "63"], ["challenge", "x"]]),
        ("zksolv/test", [["append", "a", "6263"], ["challenge", "x"]]),
        ("zksolv/rangeproof/v1", [["append", "V", base_mul(rng()).to_bytes().hex()],
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


def rangeproof_vectors(rng: NonceStream) -> dict:
    """Valid aggregated proofs and the ways a proof can be wrong."""
    tests = []
    context = b"acme-2026-11-21"
    for n, m in ((8, 1), (16, 2), (32, 4), (64, 1), (64, 2), (128, 1)):
        values = [(rng() % (1 << n)) for _ in range(m)]
        values[0] = (1 << n) - 1
        blindings = [rng() for _ in range(m)]
        proof, V = prove(rangeproof_transcript(context), values, blindings, n, rng=rng)
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
        proof, V = _prove(rangeproof_transcript(context), [value, 5], [rng(), rng()], 16,
                          generators(), rng)
        tests.append(_proof_case(comment, "invalid", ["OutOfRange"], 16, context,
                                 [v.to_bytes() for v in V], proof.to_bytes()))
    notes = {"transcript": f"Transcript({RANGEPROOF_DOMAIN.decode()!r}) then append({CONTEXT_LABEL.decode()!r}, context)",
             "ModifiedProof": "one bit of the proof flipped", "ModifiedCommitment": "V changed",
             "WrongContext": "verified under another context", "WrongParameters": "n or m not the proven ones",
             "BadEncoding": "not a canonical proof encoding", "OutOfRange": "a committed value outside [0, 2^n)"}
    return _file("zksolv-bulletproofs-aggregated", notes, tests)


def roundkey_vectors(rng: NonceStream) -> dict:
    """Per-round secret derivations (SPEC.md §6.2) from a fixed master secret."""
    master = rng().to_bytes(32, "big")
    tests = []
    for user_id, asset in (("alice", "BTC"), ("bob@example.com", "ETH"), ("ユーザー-7", "USDT")):
        secret = roundkeys.user_secret(master, user_id)
        salt = roundkeys.leaf_salt(secret, asset)
        digest = id_hash(user_id, salt)
        tests.append(_case(f"user {user_id} / {asset}", "valid", master=master.hex(), user_id=user_id,
                           asset=asset, user_secret=secret.hex(), leaf_salt=salt.hex(),
                           leaf_blinding=f"{roundkeys.leaf_blinding(secret, asset):064x}", id_hash=digest.hex(),
                           order_key=roundkeys.order_key(master, asset, digest).hex()))
    for index in (0, 1, 1023):
        tests.append(_case(f"padding leaf {index} / BTC", "valid", master=master.hex(), asset="BTC", index=index,
                           padding_id=roundkeys.padding_id_hash(master, "BTC", index).hex(),
                           padding_blinding=f"{roundkeys.padding_blinding(master, 'BTC', index):064x}"))
    return _file("zksolv-round-secrets", {}, tests)


def tree_vectors(rng: NonceStream) -> dict:
    """A 4-leaf sum tree (SPEC.md §6.3) and inclusion walks through it, valid and not."""
    asset, leaves = "BTC", []
    for value in (5, 0, 123456789, 2**64 - 1):
        blinding, digest = rng(), rng().to_bytes(32, "big")
        c = commit(value, blinding)
        leaves.append({"value": str(value), "blinding": f"{blinding:064x}", "id_hash": digest.hex(),
                       "commitment": c.to_bytes().hex(), "hash": leaf_hash(asset, digest, c.to_bytes()).hex()})
    levels = tree.build([Point.from_bytes(bytes.fromhex(x["commitment"])) for x in leaves],
                        [bytes.fromhex(x["hash"]) for x in leaves])
    root_c, root_h = levels[-1].node(0)
    tests = [_case("the tree", "valid", asset=asset, leaves=leaves,
                   root={"commitment": root_c.hex(), "hash": root_h.hex()})]
    for index in range(4):
        path = [[c.hex(), h.hex()] for c, h in tree.path(levels, index)]
        tests.append(_case(f"walk from leaf {index}", "valid", index=index, leaf=leaves[index], path=path,
                           root={"commitment": root_c.hex(), "hash": root_h.hex()}))
    path = [[c.hex(), h.hex()] for c, h in tree.path(levels, 2)]
    swapped = [[path[0][0], path[1][1]], path[1]]
    tests.append(_case("sibling hash from another level", "invalid", ["ModifiedPath"], index=2, leaf=leaves[2],
                       path=swapped, root={"commitment": root_c.hex(), "hash": root_h.hex()}))
    tests.append(_case("sibling commitment replaced", "invalid", ["ModifiedPath"], index=2, leaf=leaves[2],
                       path=[[leaves[0]["commitment"], path[0][1]], path[1]],
                       root={"commitment": root_c.hex(), "hash": root_h.hex()}))
    tests.append(_case("wrong leaf index", "invalid", ["ModifiedPath"], index=3, leaf=leaves[2], path=path,
                       root={"commitment": root_c.hex(), "hash": root_h.hex()}))
    return _file("zksolv-sum-tree", {"ModifiedPath": "the walk must not reach the root"}, tests)


def reserves_vectors(rng: NonceStream) -> dict:
    """Proofs of control (SPEC.md §6.4) by fixed keys, RFC 6979 signatures."""
    from coincurve import PrivateKey

    key = PrivateKey(rng().to_bytes(32, "big"))
    attestation = "acme-2026-11-21"
    tests = []
    eth = signing.ethereum_address(key)
    msg = control_message(attestation, eth)
    sig = signing.ethereum_sign(key, msg)
    tests.append(_case("ethereum personal_sign", "valid", chain="ethereum", address=eth,
                       message=msg.decode(), signature=sig))
    tests.append(_case("ethereum, v as 0/1", "valid", chain="ethereum", address=eth.lower(),
                       message=msg.decode(), signature=sig[:-2] + f"{int(sig[-2:], 16) - 27:02x}"))
    old = control_message("acme-2026-10-21", eth)
    tests.append(_case("ethereum, signature of another attestation", "invalid", ["Replay"], chain="ethereum",
                       address=eth, message=msg.decode(), signature=signing.ethereum_sign(key, old)))
    for kind in ("p2wpkh", "p2pkh"):
        address = signing.bitcoin_address(key, kind)
        msg = control_message(attestation, address)
        sig = signing.bitcoin_sign(key, msg, kind)
        tests.append(_case(f"bitcoin signmessage {kind}", "valid", chain="bitcoin", address=address,
                           message=msg.decode(), signature=sig))
        raw = base64.b64decode(sig)
        other = bytes([raw[0] + (8 if kind == "p2pkh" else -4)]) + raw[1:]  # P2WPKH, P2SH-P2WPKH
        tests.append(_case(f"bitcoin {kind}, header of another address kind", "invalid", ["WrongHeader"],
                           chain="bitcoin", address=address, message=msg.decode(),
                           signature=base64.b64encode(other).decode()))
    notes = {"Replay": "a valid signature over another attestation's message",
             "WrongHeader": "the header describes another kind of address"}
    return _file("zksolv-proof-of-control", notes, tests)


BUILDERS = {
    "encodings.json": encodings,
    "generators.json": hash_to_curve_vectors,
    "pedersen.json": commitment_vectors,
    "transcript.json": transcript_vectors,
    "rangeproof.json": rangeproof_vectors,
    "round-secrets.json": roundkey_vectors,
    "sum-tree.json": tree_vectors,
    "proof-of-control.json": reserves_vectors,
}


def render() -> dict[str, str]:
    rng = seeded_stream()
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
