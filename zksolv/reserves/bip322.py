"""BIP-322 generic signed messages, "simple" and "full" forms (SPEC.md §6.4.1).

Only the scripts an exchange's wallets use are understood — P2WPKH, P2SH-P2WPKH, P2TR key
path, k-of-n multisig in P2WSH and P2SH-P2WSH — and each is checked as the script interpreter
would with BIP-322's rules (SIGHASH_ALL or taproot's SIGHASH_DEFAULT, strict DER, low S,
NULLFAIL, CLEANSTACK, minimal pushes). Anything else is refused: there is no "inconclusive".
"""

from coincurve import PublicKeyXOnly

from zksolv.errors import InvalidProof
from zksolv.reserves import bitcoin_script as script
from zksolv.reserves.bitcoin_tx import (OP_RETURN_SCRIPT, SIGHASH_ALL, SIGHASH_DEFAULT, Tx,
                                        bip143_sighash, bip341_key_path_sighash, parse_tx,
                                        hash160, parse_witness, sha256, to_sign, to_spend)

FULL_VERSIONS = (0, 2)  # BIP-322 "upgradeable rules": to_sign's version is 0 or 2
MAX_FULL_IO = 16        # inputs or outputs read from a full signature before refusing it


def script_pubkey(kind: str, digest: bytes) -> bytes:
    """The scriptPubKey (BIP-322's message_challenge) of a decoded address."""
    return {"p2pkh": b"\x76\xa9\x14" + digest + b"\x88\xac", "p2sh": b"\xa9\x14" + digest + b"\x87",
            "p2wpkh": b"\x00\x14" + digest, "p2wsh": b"\x00\x20" + digest,
            "p2tr": b"\x51\x20" + digest}[kind]


def verify_simple(kind: str, digest: bytes, message: bytes, witness_bytes: bytes) -> None:
    """A "simple" signature: the witness stack of to_sign, every other field at its default.
    For a P2SH address the scriptSig is implied: the one push of the redeem script the
    witness commits to (the only scriptSig that can satisfy it)."""
    witness = parse_witness(witness_bytes)
    spent = to_spend(message, script_pubkey(kind, digest))
    script_sig = _implied_script_sig(digest, witness) if kind == "p2sh" else b""
    _satisfies(kind, digest, to_sign(spent.txid(), witness, script_sig))


def verify_full(kind: str, digest: bytes, message: bytes, tx_bytes: bytes) -> None:
    """A "full" signature: the whole to_sign transaction, which must be BIP-322's to_sign for
    this message and address: version 0 or 2, exactly one input spending to_spend:0 (any
    sequence), exactly one output of 0 paying OP_RETURN, any lock time."""
    tx = parse_tx(tx_bytes, max_inputs=MAX_FULL_IO, max_outputs=MAX_FULL_IO)
    spent = to_spend(message, script_pubkey(kind, digest))
    txin = tx.inputs[0]
    if len(tx.inputs) != 1:
        raise InvalidProof("to_sign must have exactly one input (proof of funds is not accepted)")
    if tx.version not in FULL_VERSIONS:
        raise InvalidProof(f"to_sign version {tx.version} is not 0 or 2")
    if (txin.prev_txid, txin.prev_index) != (spent.txid(), 0):
        raise InvalidProof("to_sign does not spend to_spend of this message and address")
    if tx.outputs != [(0, OP_RETURN_SCRIPT)]:
        raise InvalidProof("to_sign must have exactly one output: 0 paying OP_RETURN")
    _satisfies(kind, digest, tx)


def _implied_script_sig(digest: bytes, witness: list[bytes]) -> bytes:
    if not witness:
        raise InvalidProof("empty witness")
    last = witness[-1]
    for redeem in (b"\x00\x14" + hash160(last), b"\x00\x20" + sha256(last)):
        if hash160(redeem) == digest:
            return bytes([len(redeem)]) + redeem
    raise InvalidProof("the witness does not match this P2SH address")


def _satisfies(kind: str, digest: bytes, tx: Tx) -> None:
    """Raise InvalidProof unless to_sign's input satisfies the address's script."""
    txin = tx.inputs[0]
    if kind == "p2pkh":
        raise InvalidProof("a P2PKH address proves control by legacy signmessage only")
    if kind == "p2sh":
        digest = _redeem_program(digest, txin.script_sig)
    elif txin.script_sig:
        raise InvalidProof("a native segwit input must have an empty scriptSig")
    if kind == "p2tr":
        _taproot_key_path(digest, tx)
    else:
        _witness_v0(digest, tx)


def _redeem_program(digest: bytes, script_sig: bytes) -> bytes:
    """The v0 witness program of a P2SH-wrapped segwit input: the scriptSig must be exactly one
    minimal push of `0 <20 or 32 bytes>` whose HASH160 is the address's."""
    redeem = script_sig[1:]
    if len(script_sig) not in (23, 35) or script_sig[0] != len(redeem) \
            or redeem[:2] != bytes([0, len(redeem) - 2]):
        raise InvalidProof("P2SH scriptSig is not one push of a P2WPKH or P2WSH program")
    if hash160(redeem) != digest:
        raise InvalidProof("P2SH redeem script does not hash to this address")
    return redeem[2:]


def _witness_v0(program: bytes, tx: Tx) -> None:
    witness = tx.inputs[0].witness
    if len(program) == 20:
        if len(witness) != 2:
            raise InvalidProof(f"a P2WPKH witness is [signature, key], got {len(witness)} items")
        sig, key = witness
        if hash160(script.compressed_key(key)) != program:
            raise InvalidProof("the witness key is not this address's key")
        der = script.ecdsa_signature(sig)
        code = b"\x76\xa9\x14" + program + b"\x88\xac"
        if not script.ecdsa_verifies(key, der, bip143_sighash(tx, 0, code, 0, SIGHASH_ALL)):
            raise InvalidProof("ECDSA signature does not verify")
        return
    if not witness or sha256(witness[-1]) != program:
        raise InvalidProof("the witness script is not this address's")
    k, keys = script.parse_multisig(witness[-1])
    if len(witness) != k + 2 or witness[0] != b"":
        raise InvalidProof(f"a {k}-of-{len(keys)} witness is [empty, {k} signatures, script]")
    digest = bip143_sighash(tx, 0, witness[-1], 0, SIGHASH_ALL)
    script.check_multisig(k, keys, witness[1:-1], digest)


def _taproot_key_path(output_key: bytes, tx: Tx) -> None:
    witness = tx.inputs[0].witness
    if len(witness) != 1:
        raise InvalidProof("only taproot key-path spends are accepted: one witness item, no annex")
    sig = witness[0]
    if len(sig) == 65 and sig[64] == SIGHASH_ALL:
        hash_type = SIGHASH_ALL
    elif len(sig) == 64:
        hash_type = SIGHASH_DEFAULT
    else:
        raise InvalidProof("taproot signature must be 64 bytes, or 65 ending in SIGHASH_ALL")
    digest = bip341_key_path_sighash(tx, 0, [(0, script_pubkey("p2tr", output_key))], hash_type)
    try:
        valid = PublicKeyXOnly(output_key).verify(sig[:64], digest)
    except Exception:  # coincurve: an output key that is not on the curve
        valid = False
    if not valid:
        raise InvalidProof("Schnorr signature does not verify")
