"""What the BIP-322 verifier refuses (SPEC.md §6.4.1): every defence has a test here that
names the defence's own error, so removing the defence makes its test fail. Signatures are
re-signed after each change where a signature could still verify, so only the defence under
test stands between the tampered proof and a pass."""

import base64
import hashlib

import pytest

from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import bitcoin, control_message, sign_bitcoin as sb
from zksolv.reserves.bip322 import script_pubkey
from zksolv.reserves.bitcoin_script import N
from zksolv.reserves.bitcoin_tx import TxIn, parse_tx, parse_witness, serialize_witness, to_sign, to_spend

KEYS = [sb.key_from_bytes(hashlib.sha256(b"zksolv bip322 refusals %d" % i).digest()) for i in range(4)]
KEY, OTHER = KEYS[0], KEYS[3]
ROUND = "acme-2026-12-04"


def msg(address, attestation=ROUND):
    return control_message(attestation, address)


def simple(stack):
    return "smp" + base64.b64encode(serialize_witness(stack)).decode()


def full(tx):
    return "ful" + base64.b64encode(tx.serialize()).decode()


def stack_of(signature):
    return parse_witness(base64.b64decode(signature[3:]))


def unsigned(address, message, script_sig=b""):
    decoded = bitcoin.decode_address(address)
    return to_sign(to_spend(message, script_pubkey(decoded.kind, decoded.digest)).txid(), [], script_sig)


def resign(tx, keys, kind, **kw):
    tx.inputs[0].witness = sb.witness(keys, tx, kind, **kw)
    return full(tx)


def refused(address, message, signature, match, error=InvalidProof):
    with pytest.raises(error, match=match):
        bitcoin.verify(address, message, signature)


# -- every kind: the message, the round, the address -----------------------------------------

SINGLE = ["p2wpkh", "p2sh-p2wpkh", "p2tr"]


@pytest.mark.parametrize("kind", SINGLE)
def test_wrong_message_other_round_other_address(kind):
    address = sb.address(KEY, kind)
    signature = sb.sign(KEY, msg(address), kind)
    bitcoin.verify(address, msg(address), signature)
    for message in (msg(address, "acme-2026-11-04"), msg(address) + b" ", b""):
        with pytest.raises(InvalidProof):
            bitcoin.verify(address, message, signature)
    other = sb.address(OTHER, kind)
    with pytest.raises(InvalidProof):
        bitcoin.verify(other, msg(address), signature)


def test_multisig_other_round():
    address = sb.address(KEYS[:3], "p2wsh", k=2)
    signature = sb.sign(KEYS[:2], msg(address), "p2wsh", public_keys=KEYS[:3])
    bitcoin.verify(address, msg(address), signature)
    refused(address, msg(address, "acme-2026-11-04"), signature, "matches no key")


@pytest.mark.parametrize("kind", ["p2wpkh", "p2sh-p2wpkh"])
def test_forged_key(kind):
    """RUSTSEC-2026-0334: a valid signature by another key, that key in the witness."""
    address = sb.address(KEY, kind)
    script_sig = sb.unsigned_to_sign(OTHER, b"", kind).inputs[0].script_sig
    if kind == "p2sh-p2wpkh":  # the scriptSig must name the victim's redeem script
        script_sig = sb.unsigned_to_sign(KEY, b"", kind).inputs[0].script_sig
    tx = unsigned(address, msg(address), script_sig)
    refused(address, msg(address), resign(tx, OTHER, "p2wpkh"), "not this address's key")


def test_taproot_forged_key():
    address = sb.address(KEY, "p2tr")
    tx = unsigned(address, msg(address))
    refused(address, msg(address), resign(tx, OTHER, "p2tr"), "Schnorr signature does not verify")


# -- encodings: truncated, trailing, empty, non-canonical ------------------------------------

@pytest.mark.parametrize("kind", SINGLE + ["p2wsh"])
@pytest.mark.parametrize("form", ["simple", "full"])
def test_truncated_and_trailing(kind, form):
    keys = KEYS[:3] if kind == "p2wsh" else KEY
    address = sb.address(keys, kind)
    raw = base64.b64decode(sb.sign(keys, msg(address), kind, form=form)[3:])
    prefix = "smp" if form == "simple" else "ful"
    for cut in (1, 2, len(raw) // 2):
        refused(address, msg(address), prefix + base64.b64encode(raw[:-cut]).decode(), None, InputError)
    refused(address, msg(address), prefix + base64.b64encode(raw + b"\x00").decode(), "trailing", InputError)


@pytest.mark.parametrize("signature", ["", "smp", "ful", "smpAA==", "AA==", "fulAA=="])
def test_empty_proof(signature):
    with pytest.raises((InputError, InvalidProof)):
        bitcoin.verify(sb.address(KEY, "p2wpkh"), b"m", signature)


def test_non_canonical_base64_and_size():
    """Base64 whose unused low bits are not zero decodes to the same bytes: refused, so one
    signature has one spelling."""
    address = sb.address(KEY, "p2tr")
    signature = sb.sign(KEY, msg(address), "p2tr", hash_type=1)  # 67 bytes: "==" padding
    bitcoin.verify(address, msg(address), signature)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    body = signature[3:-2]
    tweaked = body[:-1] + alphabet[alphabet.index(body[-1]) ^ 1]
    assert base64.b64decode(tweaked + "==") == base64.b64decode(body + "==")
    refused(address, msg(address), "smp" + tweaked + "==", "canonical base64", InputError)
    refused(address, msg(address), "smp" + "A" * 20_000, "longer than", InputError)


def test_non_minimal_compact_size():
    address = sb.address(KEY, "p2wpkh")
    raw = base64.b64decode(sb.sign(KEY, msg(address), "p2wpkh")[3:])
    padded = b"\xfd" + raw[:1] + b"\x00" + raw[1:]
    refused(address, msg(address), "smp" + base64.b64encode(padded).decode(), "non-minimal", InputError)


def _der(r, s):
    def integer(v):
        body = v.to_bytes(33, "big").lstrip(b"\x00")
        return b"\x02" + bytes([len(body) + (body[0] >> 7)]) + (b"\x00" if body[0] & 0x80 else b"") + body
    seq = integer(r) + integer(s)
    return b"\x30" + bytes([len(seq)]) + seq


def _rs(sig):
    lr = sig[3]
    return int.from_bytes(sig[4:4 + lr], "big"), int.from_bytes(sig[6 + lr:sig[5 + lr] + 6 + lr], "big")


def _p2wpkh_stack():
    address = sb.address(KEY, "p2wpkh")
    return address, stack_of(sb.sign(KEY, msg(address), "p2wpkh"))


def test_high_s_refused():
    address, (sig, key) = _p2wpkh_stack()
    r, s = _rs(sig)
    assert _der(r, s) + b"\x01" == sig  # our re-encoder reproduces the signature
    refused(address, msg(address), simple([_der(r, N - s) + b"\x01", key]), "high S")


@pytest.mark.parametrize("change,match", [
    (lambda d: d[:4] + b"\x00" + d[4:], "needless zero|bad INTEGER length|SEQUENCE"),
    (lambda d: b"\x30" + bytes([d[1] + 1]) + d[2:] + b"\x00", "bytes after"),
    (lambda d: b"\x31" + d[1:], "SEQUENCE"),
    (lambda d: d[:2] + b"\x03" + d[3:], "INTEGER tag"),
])
def test_non_strict_der_refused(change, match):
    address, (sig, key) = _p2wpkh_stack()
    refused(address, msg(address), simple([change(sig[:-1]) + b"\x01", key]), match)


def test_needless_zero_in_r_refused():
    address, (sig, key) = _p2wpkh_stack()
    r, s = _rs(sig)
    body_r = r.to_bytes(33, "big").lstrip(b"\x00")
    if body_r[0] & 0x80:
        body_r = b"\x00" + body_r
    padded_r = b"\x02" + bytes([len(body_r) + 1]) + b"\x00" + body_r
    tail = _der(r, s)[2 + 2 + len(body_r):]
    seq = padded_r + tail
    refused(address, msg(address), simple([b"\x30" + bytes([len(seq)]) + seq + b"\x01", key]), "needless zero")


@pytest.mark.parametrize("hash_type", [0x00, 0x02, 0x03, 0x81])
def test_wrong_sighash_type_refused(hash_type):
    address, (sig, key) = _p2wpkh_stack()
    refused(address, msg(address), simple([sig[:-1] + bytes([hash_type]), key]), "not SIGHASH_ALL")


def test_uncompressed_witness_key_refused():
    address, (sig, key) = _p2wpkh_stack()
    from coincurve import PublicKey
    refused(address, msg(address), simple([sig, PublicKey(key).format(compressed=False)]), "compressed")


@pytest.mark.parametrize("extra", [[b""], [b"\x01"]])
def test_p2wpkh_extra_witness_item_refused(extra):
    address, stack = _p2wpkh_stack()
    refused(address, msg(address), simple(stack + extra), "signature, key")
    refused(address, msg(address), simple(extra + stack), "signature, key")


# -- taproot -----------------------------------------------------------------------------------

def test_taproot_sighash_all_accepted_others_refused():
    address = sb.address(KEY, "p2tr")
    bitcoin.verify(address, msg(address), sb.sign(KEY, msg(address), "p2tr", hash_type=1))
    [sig] = stack_of(sb.sign(KEY, msg(address), "p2tr"))
    for hash_type in (0x00, 0x02, 0x03, 0x81, 0x83):
        refused(address, msg(address), simple([sig + bytes([hash_type])]), "64 bytes, or 65")


def test_taproot_annex_and_script_path_refused():
    address = sb.address(KEY, "p2tr")
    [sig] = stack_of(sb.sign(KEY, msg(address), "p2tr"))
    refused(address, msg(address), simple([sig, b"\x50"]), "key-path")
    refused(address, msg(address), simple([sig, b"\x51", b"\xc0" + bytes(32)]), "key-path")
    refused(address, msg(address), simple([]), "key-path")


# -- multisig -----------------------------------------------------------------------------------

def _multisig(kind="p2wsh", k=2, n=3):
    keys = KEYS[:n]
    address = sb.address(keys, kind, k=k)
    script_sig = sb.unsigned_to_sign(keys[:k], b"", kind, public_keys=keys).inputs[0].script_sig
    tx = unsigned(address, msg(address), script_sig)
    stack = sb.witness(keys[:k], tx, kind, public_keys=keys)
    return address, tx, stack


@pytest.mark.parametrize("kind", ["p2wsh", "p2sh-p2wsh"])
def test_multisig_accepts_exactly_k_in_order(kind):
    address, tx, stack = _multisig(kind)
    tx.inputs[0].witness = stack
    bitcoin.verify(address, msg(address), full(tx))
    dummy, a, b, wscript = stack
    tx.inputs[0].witness = [dummy, b, a, wscript]
    refused(address, msg(address), full(tx), "matches no key")


def test_multisig_k_minus_one_valid_refused():
    address, tx, (dummy, a, b, wscript) = _multisig()
    refused(address, msg(address), simple([dummy, a, wscript]), r"\[empty, 2 signatures")
    refused(address, msg(address), simple([dummy, a, b"", wscript]), "strict DER")
    outsider = sb.ecdsa_sign(OTHER, hashlib.sha256(b"x").digest())
    refused(address, msg(address), simple([dummy, a, outsider, wscript]), "matches no key")


def test_multisig_duplicated_signature_refused():
    address, tx, (dummy, a, b, wscript) = _multisig()
    refused(address, msg(address), simple([dummy, a, a, wscript]), "matches no key")
    refused(address, msg(address), simple([dummy, b, b, wscript]), "matches no key")


def test_multisig_extra_signature_and_dummy_refused():
    address, tx, (dummy, a, b, wscript) = _multisig()
    refused(address, msg(address), simple([dummy, a, b, b, wscript]), r"\[empty, 2 signatures")
    refused(address, msg(address), simple([b"\x00", a, b, wscript]), r"\[empty, 2 signatures")
    refused(address, msg(address), simple([a, b, wscript]), r"\[empty, 2 signatures")


def test_multisig_witness_script_of_another_address_refused():
    address, tx, (dummy, a, b, wscript) = _multisig()
    other_script = sb.multisig_script(2, [KEYS[0], KEYS[1], KEYS[3]])
    refused(address, msg(address), simple([dummy, a, b, other_script]), "not this address's")


def test_multisig_wrong_sighash_and_high_s_refused():
    address, tx, (dummy, a, b, wscript) = _multisig()
    refused(address, msg(address), simple([dummy, a[:-1] + b"\x81", b, wscript]), "not SIGHASH_ALL")
    r, s = _rs(b)
    refused(address, msg(address), simple([dummy, a, _der(r, N - s) + b"\x01", wscript]), "high S")


def _template_address(wscript):
    from zksolv.reserves.encoding import segwit_encode
    return segwit_encode("bc", 0, hashlib.sha256(wscript).digest())


def _keys33(n):
    return [k.public_key.format() for k in KEYS[:n]]


@pytest.mark.parametrize("wscript,match", [
    (b"\x52" + b"".join(b"\x21" + k for k in _keys33(3)) + b"\x53\xaf", "template"),       # CHECKMULTISIGVERIFY
    (b"\x52" + b"".join(b"\x21" + k for k in _keys33(3)) + b"\x53\xae\x51", "template"),   # trailing op
    (b"\x54" + b"".join(b"\x21" + k for k in _keys33(3)) + b"\x53\xae", "template"),       # k > n
    (b"\x52" + b"".join(b"\x21" + k for k in _keys33(3)) + b"\x52\xae", "template"),       # n != keys
    (b"\x01\x02" + b"".join(b"\x21" + k for k in _keys33(3)) + b"\x53\xae", "bad count"),  # non-minimal k
    (b"\x51\x41" + KEYS[0].public_key.format(compressed=False) + b"\x51\xae", "bad count"),  # uncompressed
    (b"\x00" + b"".join(b"\x21" + k for k in _keys33(3)) + b"\x53\xae", "bad count"),      # k = 0
], ids=["checkmultisigverify", "trailing-op", "k>n", "n!=keys", "non-minimal-k", "uncompressed", "k=0"])
def test_witness_script_not_the_template_refused(wscript, match):
    address = _template_address(wscript)
    tx = unsigned(address, msg(address))
    from zksolv.reserves.bitcoin_tx import bip143_sighash
    digest = bip143_sighash(tx, 0, wscript, 0, 1)
    sigs = [sb.ecdsa_sign(k, digest) for k in KEYS[:2]]
    refused(address, msg(address), simple([b"", *sigs, wscript]), match)


def test_twenty_keys_accepted_twenty_one_refused():
    keys = [sb.key_from_bytes(hashlib.sha256(b"k%d" % i).digest()) for i in range(21)]
    address = sb.address(keys[:20], "p2wsh", k=17)
    bitcoin.verify(address, msg(address), sb.sign(keys[:17], msg(address), "p2wsh", public_keys=keys[:20]))
    wscript = b"\x51" + b"".join(b"\x21" + k.public_key.format() for k in keys) + b"\x01\x15\xae"
    address = _template_address(wscript)
    refused(address, msg(address), simple([b"", b"\x30", wscript]), "template|bad count")


# -- the full form: it must be BIP-322's to_sign -------------------------------------------------

def _full_p2wpkh():
    address = sb.address(KEY, "p2wpkh")
    return address, unsigned(address, msg(address))


def test_full_version_locktime_sequence():
    address, tx = _full_p2wpkh()
    tx.version, tx.locktime, tx.inputs[0].sequence = 2, 2016, 2016
    bitcoin.verify(address, msg(address), resign(tx, KEY, "p2wpkh"))  # BIP-322 allows these
    for version in (1, 3, 0xFFFFFFFF):
        tx.version = version
        refused(address, msg(address), resign(tx, KEY, "p2wpkh"), "version")


def test_full_outputs_must_be_one_op_return_of_zero():
    for outputs in ([(1, b"\x6a")], [(0, b"\x6a\x00")], [(0, b"\x6a"), (0, b"\x6a")], [(0, b"\x51")]):
        address, tx = _full_p2wpkh()
        tx.outputs = outputs
        refused(address, msg(address), resign(tx, KEY, "p2wpkh"), "one output")


def test_full_must_spend_to_spend():
    address, tx = _full_p2wpkh()
    tx.inputs[0].prev_index = 1
    refused(address, msg(address), resign(tx, KEY, "p2wpkh"), "does not spend to_spend")
    address, tx = _full_p2wpkh()
    tx.inputs.append(TxIn(bytes(32), 0, b"", 0, [b"\x01"]))
    refused(address, msg(address), resign(tx, KEY, "p2wpkh"), "exactly one input")


def test_full_native_segwit_scriptsig_must_be_empty():
    for kind in ("p2wpkh", "p2tr"):
        address = sb.address(KEY, kind)
        tx = unsigned(address, msg(address), b"\x51")
        refused(address, msg(address), resign(tx, KEY, kind), "empty scriptSig")


def test_full_p2sh_scriptsig_must_be_the_minimal_push_of_the_redeem_script():
    address = sb.address(KEY, "p2sh-p2wpkh")
    good = sb.unsigned_to_sign(KEY, b"", "p2sh-p2wpkh").inputs[0].script_sig
    for script_sig, match in [(b"\x4c" + good, "one push"), (good + b"\x51", "one push"), (b"", "one push")]:
        tx = unsigned(address, msg(address), script_sig)
        refused(address, msg(address), resign(tx, KEY, "p2wpkh"), match)
    # another key's redeem script, signed by that key: only the P2SH hash check stops it
    tx = unsigned(address, msg(address), sb.unsigned_to_sign(OTHER, b"", "p2sh-p2wpkh").inputs[0].script_sig)
    refused(address, msg(address), resign(tx, OTHER, "p2wpkh"), "does not hash to this address")


def test_full_segwit_flag_without_witness_refused():
    address, tx = _full_p2wpkh()
    raw = tx.serialize()
    flagged = raw[:4] + b"\x00\x01" + raw[4:-4] + b"\x00" + raw[-4:]
    refused(address, msg(address), "ful" + base64.b64encode(flagged).decode(), "every witness is empty", InputError)


def test_full_without_witness_refused():
    address, tx = _full_p2wpkh()
    refused(address, msg(address), full(tx), "signature, key")


# -- addresses and forms -------------------------------------------------------------------------

@pytest.mark.parametrize("address,match", [
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "no verifier"),                          # BIP-350: v2
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "no verifier"),  # v1, 40 bytes
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "checksum"),   # v1 in Bech32
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "checksum"),                       # v0 in Bech32m
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "20 or 32"),                              # v0, 16 bytes
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4x", "checksum"),                       # extra char
])
def test_undecodable_or_unverifiable_address(address, match):
    with pytest.raises(InputError, match=match):
        bitcoin.normalize_address(address)


def test_normalize_address_every_kind():
    for kind in ("p2pkh", "p2wpkh", "p2sh-p2wpkh", "p2tr"):
        address = sb.address(KEY, kind)
        assert bitcoin.normalize_address(address) == address
        assert bitcoin.normalize_address(sb.address(KEY, kind, hrp="tb")) == address  # one script, one spelling
    for kind in ("p2wsh", "p2sh-p2wsh"):
        address = sb.address(KEYS[:3], kind, k=2)
        assert bitcoin.normalize_address(address) == address
    taproot = sb.address(KEY, "p2tr")
    assert bitcoin.normalize_address(taproot.upper()) == taproot
    assert bitcoin.decode_address(taproot).kind == "p2tr"


def test_p2pkh_takes_legacy_only():
    address = sb.address(KEY, "p2pkh")
    bitcoin.verify(address, msg(address), sb.sign(KEY, msg(address), "p2pkh"))
    tx = unsigned(address, msg(address))
    tx.inputs[0].witness = [b"\x01"]
    refused(address, msg(address), full(tx), "legacy signmessage only")


@pytest.mark.parametrize("kind", ["p2tr", "p2wsh"])
def test_legacy_signature_for_taproot_or_p2wsh_refused(kind):
    keys = KEYS[:3] if kind == "p2wsh" else KEY
    address = sb.address(keys, kind)
    refused(address, msg(address), sb.sign_legacy(KEY, msg(address), "p2wpkh"), "legacy signmessage cannot")


def test_legacy_signature_for_segwit_still_accepted():
    for kind in ("p2wpkh", "p2sh-p2wpkh"):
        address = sb.address(KEY, kind)
        bitcoin.verify(address, msg(address), sb.sign_legacy(KEY, msg(address), kind))


def test_proof_of_funds_prefix_refused():
    address = sb.address(KEY, "p2wpkh")
    refused(address, msg(address), "pof" + sb.sign(KEY, msg(address), "p2wpkh", form="full")[3:], "proof-of-funds")


def test_simple_for_p2sh_implies_only_its_own_redeem_script():
    address = sb.address(KEY, "p2sh-p2wpkh")
    signature = sb.sign(KEY, msg(address), "p2sh-p2wpkh", form="simple")
    bitcoin.verify(address, msg(address), signature)
    refused(sb.address(OTHER, "p2sh-p2wpkh"), msg(address), signature, "does not match this P2SH")


# -- bounds and malformed DER / transactions ------------------------------------------------------

def test_witness_bounds():
    address = sb.address(KEY, "p2wpkh")
    refused(address, b"m", simple([b""] * 65), "above the bound", InputError)
    refused(address, b"m", simple([bytes(10_001)]), "above the bound", InputError)


def test_segwit_flag_must_be_one():
    address, tx = _full_p2wpkh()
    tx.inputs[0].witness = [b"\x01"]
    raw = tx.serialize()
    flag_two = "ful" + base64.b64encode(raw[:5] + b"\x02" + raw[6:]).decode()
    refused(address, msg(address), flag_two, "flag", InputError)


@pytest.mark.parametrize("der,match", [
    (bytes.fromhex("30070200020301020301"), "bad INTEGER length"),      # empty r
    (bytes.fromhex("3008020902030102030301"), "bad INTEGER length"),  # r runs past the end
])
def test_malformed_der_integers(der, match):
    address, (sig, key) = _p2wpkh_stack()
    refused(address, msg(address), simple([der, key]), match)


def test_negative_r_refused():
    """A DER INTEGER with its top bit set is negative: an r ≥ 2^255 without its zero byte."""
    address = sb.address(KEY, "p2wpkh")
    for attempt in range(64):  # deterministic: the first round whose r has its top bit set
        message = msg(address, f"round-{attempt}")
        sig, key = stack_of(sb.sign(KEY, message, "p2wpkh"))
        if sig[3] == 33:
            break
    r, s = _rs(sig)
    body_s = sig[4 + 33:-1]
    seq = b"\x02\x20" + r.to_bytes(32, "big") + body_s
    refused(address, message, simple([b"\x30" + bytes([len(seq)]) + seq + b"\x01", key]), "negative")


def test_check_multisig_needs_exactly_k():
    from zksolv.reserves.bitcoin_script import check_multisig
    keys = _keys33(3)
    digest = hashlib.sha256(b"d").digest()
    sig = sb.ecdsa_sign(KEYS[0], digest)
    with pytest.raises(InvalidProof, match="exactly 2"):
        check_multisig(2, keys, [sig], digest)
    with pytest.raises(InvalidProof, match="exactly 2"):
        check_multisig(2, keys, [sig, sig, sig], digest)
