"""BIP-322 cross-checked against implementations nobody on zksolv wrote (SPEC.md §6.4.1):

- bitcoin-utils derives the addresses and signs the to_sign input itself (its own BIP-143 and
  BIP-341 digests, its own ECDSA and Schnorr), and zksolv's verifier must accept the result;
- the PyPI `bip322` package (rust-bitcoin's bip322 crate 0.0.11, fixed for RUSTSEC-2026-0334)
  must accept zksolv's signatures for P2WPKH, P2SH-P2WPKH and P2TR, and both it and zksolv must
  refuse a signature by a key that is not the address's.
"""

import base64
import hashlib

import bip322 as rust_bip322
import pytest
from bitcoinutils.keys import P2shAddress, P2wshAddress, PrivateKey as BuPrivateKey
from bitcoinutils.script import Script
from bitcoinutils.setup import setup
from bitcoinutils.transactions import Transaction, TxInput, TxOutput, TxWitnessInput

from zksolv.errors import InvalidProof
from zksolv.reserves import bitcoin, control_message, sign_bitcoin
from zksolv.reserves.bip322 import script_pubkey
from zksolv.reserves.bitcoin_tx import serialize_witness, to_sign, to_spend

setup("mainnet")
SEEDS = [hashlib.sha256(b"zksolv bip322 crosscheck %d" % i).digest() for i in range(4)]


def _bu_key(seed):
    return BuPrivateKey(b=seed)


def _bu_to_sign(address, message, script_sig=None):
    """to_sign built by bitcoin-utils (version 0, sequence 0, OP_RETURN output) around the
    to_spend txid of BIP-322 (itself checked against the BIP's published txids)."""
    decoded = bitcoin.decode_address(address)
    txid = to_spend(message, script_pubkey(decoded.kind, decoded.digest)).txid()[::-1].hex()
    txin = TxInput(txid, 0, script_sig, sequence=bytes(4))
    return Transaction([txin], [TxOutput(0, Script(["OP_RETURN"]))], version=bytes(4), has_segwit=True)


def _encode(tx, stack, form):
    """The witness `stack` (hex items) as a simple signature, or the whole transaction
    serialized by bitcoin-utils as a full one."""
    if form == "simple":
        raw = serialize_witness([bytes.fromhex(item) for item in stack])
        return "smp" + base64.b64encode(raw).decode()
    tx.witnesses = [TxWitnessInput(stack)]
    return "ful" + base64.b64encode(tx.to_bytes(True)).decode()


def _message(address):
    return control_message("acme-2026-12-04", address)


@pytest.mark.parametrize("seed", SEEDS, ids=["k0", "k1", "k2", "k3"])
@pytest.mark.parametrize("form", ["simple", "full"])
def test_bitcoin_utils_p2wpkh(seed, form):
    key = _bu_key(seed)
    address = key.get_public_key().get_segwit_address().to_string()
    assert address == sign_bitcoin.address(sign_bitcoin.key_from_bytes(seed), "p2wpkh")
    message = _message(address)
    tx = _bu_to_sign(address, message)
    pub = key.get_public_key()
    sig = key.sign_segwit_input(tx, 0, pub.get_address().to_script_pub_key(), 0)
    bitcoin.verify(address, message, _encode(tx, [sig, pub.to_hex()], form))


@pytest.mark.parametrize("seed", SEEDS, ids=["k0", "k1", "k2", "k3"])
def test_bitcoin_utils_p2sh_p2wpkh(seed):
    key = _bu_key(seed)
    pub = key.get_public_key()
    redeem = pub.get_segwit_address().to_script_pub_key()
    address = P2shAddress.from_script(redeem).to_string()
    assert address == sign_bitcoin.address(sign_bitcoin.key_from_bytes(seed), "p2sh-p2wpkh")
    message = _message(address)
    tx = _bu_to_sign(address, message, Script([redeem.to_hex()]))
    sig = key.sign_segwit_input(tx, 0, pub.get_address().to_script_pub_key(), 0)
    bitcoin.verify(address, message, _encode(tx, [sig, pub.to_hex()], "full"))


def _bu_multisig(k, keys):
    pubs = [key.get_public_key().to_hex() for key in keys]
    return Script([f"OP_{k}", *pubs, f"OP_{len(keys)}", "OP_CHECKMULTISIG"])


@pytest.mark.parametrize("wrapped", [False, True])
@pytest.mark.parametrize("form", ["simple", "full"])
def test_bitcoin_utils_2_of_3_multisig(wrapped, form):
    keys = [_bu_key(seed) for seed in SEEDS[:3]]
    wscript = _bu_multisig(2, keys)
    p2wsh = P2wshAddress.from_script(wscript)
    address = (P2shAddress.from_script(p2wsh.to_script_pub_key()) if wrapped else p2wsh).to_string()
    ours = [sign_bitcoin.key_from_bytes(seed) for seed in SEEDS[:3]]
    assert address == sign_bitcoin.address(ours, "p2sh-p2wsh" if wrapped else "p2wsh", k=2)
    message = _message(address)
    script_sig = Script([p2wsh.to_script_pub_key().to_hex()]) if wrapped else None
    tx = _bu_to_sign(address, message, script_sig)
    sigs = [key.sign_segwit_input(tx, 0, wscript, 0) for key in (keys[0], keys[2])]
    bitcoin.verify(address, message, _encode(tx, ["", *sigs, wscript.to_hex()], form))
    with pytest.raises(InvalidProof, match="matches no key"):  # CHECKMULTISIG order
        bitcoin.verify(address, message, _encode(tx, ["", *sigs[::-1], wscript.to_hex()], form))


@pytest.mark.parametrize("seed", SEEDS, ids=["k0", "k1", "k2", "k3"])
@pytest.mark.parametrize("form", ["simple", "full"])
def test_bitcoin_utils_taproot_key_path(seed, form):
    key = _bu_key(seed)
    taproot = key.get_public_key().get_taproot_address()
    address = taproot.to_string()
    assert address == sign_bitcoin.address(sign_bitcoin.key_from_bytes(seed), "p2tr")
    message = _message(address)
    tx = _bu_to_sign(address, message)
    sig = key.sign_taproot_input(tx, 0, [taproot.to_script_pub_key()], [0])
    bitcoin.verify(address, message, _encode(tx, [sig], form))


# -- the rust-bitcoin bip322 crate (PyPI bip322) ---------------------------------------------

@pytest.mark.parametrize("kind", ["p2wpkh", "p2sh-p2wpkh", "p2tr"])
@pytest.mark.parametrize("seed", SEEDS, ids=["k0", "k1", "k2", "k3"])
def test_rust_bip322_accepts_our_signatures(kind, seed):
    key = sign_bitcoin.key_from_bytes(seed)
    address = sign_bitcoin.address(key, kind)
    message = _message(address)
    signature = sign_bitcoin.sign(key, message, kind, form="simple")
    bitcoin.verify(address, message, signature)
    rust_bip322.verify_simple_encoded(address, message.decode(), signature[3:])  # raises if not
    with pytest.raises(rust_bip322.VerificationError):
        rust_bip322.verify_simple_encoded(address, _message("another").decode(), signature[3:])


def _forged_p2wpkh(victim_address, message, attacker):
    """RUSTSEC-2026-0334's attack: a valid BIP-322 witness by the attacker's own key for the
    victim's to_sign (the victim's address is in to_spend), with the attacker's public key."""
    decoded = bitcoin.decode_address(victim_address)
    tx = to_sign(to_spend(message, script_pubkey(decoded.kind, decoded.digest)).txid(), [])
    stack = sign_bitcoin.witness(attacker, tx, "p2wpkh")
    return "smp" + base64.b64encode(serialize_witness(stack)).decode()


@pytest.mark.parametrize("seed", SEEDS, ids=["k0", "k1", "k2", "k3"])
def test_forged_key_is_refused_by_both(seed):
    victim = sign_bitcoin.address(sign_bitcoin.key_from_bytes(seed), "p2wpkh")
    message = _message(victim)
    forged = _forged_p2wpkh(victim, message, sign_bitcoin.key_from_bytes(hashlib.sha256(seed).digest()))
    with pytest.raises(InvalidProof, match="not this address's key"):
        bitcoin.verify(victim, message, forged)
    with pytest.raises(rust_bip322.VerificationError):
        rust_bip322.verify_simple_encoded(victim, message.decode(), forged[3:])
