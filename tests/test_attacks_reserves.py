"""Attacks on reserves version 2 as a malicious exchange would build them (SPEC.md §6.1,
§6.4): each builds a false claim with zksolv's own signers and real keys, and asserts it is
refused. Only defences not exercised elsewhere are here (test_reserves_v2.py, test_bip322_*.py,
test_chains_*.py, test_exchange_signature.py cover the rest)."""

import base64
import copy

import pytest

from custodykit import USDT, document
from zksolv import reserves
from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import bitcoin, control_message_v2, ethereum, signing, tron
from zksolv.reserves import sign_bitcoin as sb, sign_evm, sign_tron
from zksolv.reserves.bitcoin_tx import TxIn, bip341_key_path_sighash, parse_tx, serialize_witness
from zksolv.reserves.chains import check_token, known

KEY = sb.key_from_bytes(bytes(range(1, 33)))
MESSAGE = b"zksolv:reserves:v2:0x" + b"ab" * 20 + b":round-7:bitcoin:addr"


TOTALS = {"BTC": 10**8, "ETH": 10**18, "USDT": 10**6}
EXCHANGE_KEY = signing.new_key()


@pytest.fixture(scope="module")
def base():
    return document("round-7", TOTALS, EXCHANGE_KEY)


def _smp(witness: list[bytes]) -> str:
    return "smp" + base64.b64encode(serialize_witness(witness)).decode()


def _btc_wallet(doc, kind: str, hrp: str, balance: str) -> dict:
    address = sb.address(KEY, kind, hrp=hrp)
    message = control_message_v2(doc["exchange"], doc["attestation_id"], "bitcoin", address)
    return {"chain": "bitcoin", "address": address, "balance": balance, "signature": sb.sign(KEY, message, kind)}


@pytest.mark.parametrize("kind", ["p2pkh", "p2wpkh", "p2sh-p2wpkh", "p2tr"])
def test_mainnet_and_testnet_spellings_of_one_script_are_one_balance(base, kind):
    """`1…`/`m…`, `3…`/`2…`, `bc1…`/`tb1…` of one hash or program are one scriptPubKey: on
    chain `bitcoin` both spellings name the same coins, so listing both counts them twice."""
    doc = copy.deepcopy(base)
    twins = [_btc_wallet(doc, kind, "bc", "1"), _btc_wallet(doc, kind, "tb", "1")]
    for wallet in twins:  # each alone is a valid wallet: the refusal is of the pair
        doc["assets"]["BTC"]["wallets"] = [wallet]
        assert reserves.verify_control(reserves.parse(doc, "reserves.json")) == 4
    doc["assets"]["BTC"]["wallets"] = twins
    with pytest.raises(InputError, match=r"BTC.wallets\[1\].*listed twice"):
        reserves.parse(doc, "reserves.json")


def test_mainnet_and_testnet_spellings_are_one_balance_in_version1_too():
    wallets = []
    for hrp in ("bc", "tb"):
        address = sb.address(KEY, "p2pkh", hrp=hrp)
        signature = sb.sign_legacy(KEY, reserves.control_message("round-1", address))
        wallets.append({"chain": "bitcoin", "address": address, "balance": "1", "signature": signature})
    for wallet in wallets:
        doc = {"attestation_id": "round-1", "assets": {"BTC": {"decimals": 8, "wallets": [wallet]}}}
        assert reserves.verify_control(reserves.parse(doc, "reserves.json")) == 1
    doc["assets"]["BTC"]["wallets"] = wallets
    with pytest.raises(InputError, match=r"BTC.wallets\[1\].*listed twice"):
        reserves.parse(doc, "reserves.json")


@pytest.mark.parametrize("chain_id", [728126428, 3448148188, 2494104990])  # TRON mainnet, Nile, Shasta
def test_a_custom_evm_chain_with_a_tron_chain_id_is_refused(base, chain_id):
    """TRON's JSON-RPC answers eth_chainId with these ids and reads `0x` spellings of TRON
    addresses: declared as a custom EVM chain, TRON balances would be counted a second time."""
    doc = copy.deepcopy(base)
    doc["chains"]["trx-evm"] = {"height": 1, "hash": "0x" + "11" * 32, "chain_id": chain_id}
    key = signing.new_key()
    doc["assets"]["ETH"]["wallets"].append(signing.wallet_v2(key, "trx-evm", doc["exchange"],
                                                             doc["attestation_id"], "1"))
    with pytest.raises(InputError, match=r"chains.trx-evm.chain_id: chain id .* is tron"):
        reserves.parse(doc, "reserves.json")


POLYGON_BLOCK = {"height": 70000000, "hash": "0x" + "70" * 32, "chain_id": 137}


@pytest.mark.parametrize("chain, block, token", [
    ("polygon", POLYGON_BLOCK, "0x0000000000000000000000000000000000001010"),
    ("zksync", {**POLYGON_BLOCK, "chain_id": 324}, "0x000000000000000000000000000000000000800A"),
    ("celo", {**POLYGON_BLOCK, "chain_id": 42220}, "0x471EcE3750Da237f93B8E339c536989b8978a438"),
    ("base", {**POLYGON_BLOCK, "chain_id": 8453}, "0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000"),
    ("optimism", {**POLYGON_BLOCK, "chain_id": 10}, "0xdeaddeaddeaddeaddeaddeaddeaddeaddead0000"),
    ("ethereum", None, "0x" + "ee" * 20),
    ("ethereum", None, "0x" + "00" * 20)])
def test_the_native_coin_under_a_token_address_is_refused(base, chain, block, token):
    """The OP stack's LegacyERC20ETH (0xdead…0000), Polygon's 0x…1010, zkSync's 0x…800a and
    Celo's CELO contract are the native coin as a token, and 0xeee…e / 0x0 mean "native" to
    price APIs: beside the native wallet, such a token entry would count one balance twice
    (an honest snapshot confirms both)."""
    doc = copy.deepcopy(base)
    if block is not None:
        doc["chains"][chain] = block
    key = signing.new_key()
    wallet = signing.wallet_v2(key, chain, doc["exchange"], doc["attestation_id"], "1")
    doc["assets"]["ETH"]["wallets"].append(wallet)
    assert reserves.verify_control(reserves.parse(doc, "reserves.json")) == 5  # the native wallet is fine
    doc["assets"]["ETH"]["wallets"].append({**wallet, "token": token})
    with pytest.raises(InputError, match=r"ETH.wallets\[2\].token: .* stands for .* native coin"):
        reserves.parse(doc, "reserves.json")


def test_the_native_coin_placeholder_is_no_token_in_version1_either():
    key = signing.new_key()
    address = signing.ethereum_address(key)
    wallet = {"chain": "ethereum", "address": address, "balance": "1",
              "signature": signing.ethereum_sign(key, reserves.control_message("round-1", address))}
    doc = {"attestation_id": "round-1", "assets": {"ETH": {"decimals": 18, "wallets": [wallet]}}}
    assert reserves.verify_control(reserves.parse(doc, "reserves.json")) == 1
    doc["assets"]["ETH"]["wallets"].append({**wallet, "token": "0x" + "EE" * 20})
    with pytest.raises(InputError, match=r"ETH.wallets\[1\].token: .* native coin"):
        reserves.parse(doc, "reserves.json")


ARABIC_INDIC_SEVEN = "\u0667"  # int("\u0667", 16) == 7 in Python


@pytest.mark.parametrize("spelling", [USDT.lower()[:-1] + ARABIC_INDIC_SEVEN, " " + USDT[2:-1].lower(),
                                      USDT[2:20] + "_" + USDT[21:], "+" + USDT[3:]])
def test_an_evm_address_is_ascii_hex_only(spelling):
    with pytest.raises(InputError, match="not hexadecimal"):
        ethereum.normalize_address(spelling if spelling.startswith("0x") else "0x" + spelling)


def test_one_token_balance_spelled_with_a_non_ascii_digit_is_refused(base):
    """The ETH wallet's USDT listed again with the contract's last digit written "٧": one
    signature covers both entries (it names the wallet, not the token), so unless the token
    must be ASCII hex the same balance counts twice."""
    doc = copy.deepcopy(base)
    first = doc["assets"]["USDT"]["wallets"][0]
    doc["assets"]["USDT"]["wallets"].append({**first, "token": first["token"].lower()[:-1] + ARABIC_INDIC_SEVEN})
    with pytest.raises(InputError, match=r"USDT.wallets\[2\].token: .* not hexadecimal"):
        reserves.parse(doc, "reserves.json")


def test_taproot_signature_by_the_internal_key_is_refused():
    """The address holds the tweaked output key; a Schnorr signature by the untweaked
    internal key (same x-only bytes a careless wallet shows) does not spend it."""
    address = sb.address(KEY, "p2tr")
    tx = sb.unsigned_to_sign(KEY, MESSAGE, "p2tr")
    genuine = bitcoin.decode_address(address).digest
    digest = bip341_key_path_sighash(tx, 0, [(0, b"\x51\x20" + genuine)], 0)
    internal = KEY.sign_schnorr(digest, bytes(32))
    with pytest.raises(InvalidProof, match="Schnorr"):
        bitcoin.verify(address, MESSAGE, _smp([internal]))
    bitcoin.verify(address, MESSAGE, sb.sign(KEY, MESSAGE, "p2tr"))  # the tweaked key's passes


@pytest.mark.parametrize("kind", ["p2wpkh", "p2tr", "p2sh-p2wpkh"])
def test_full_to_sign_with_a_second_input_is_refused(kind):
    """A second input (proof of funds, or a spend smuggled beside to_sign) is refused even when
    the first input's signature covers it."""
    address = sb.address(KEY, kind)
    tx = sb.unsigned_to_sign(KEY, MESSAGE, kind)
    tx.inputs.append(TxIn(b"\x42" * 32, 1, b"", 0))
    tx.inputs[0].witness = sb.witness(KEY, tx, kind)
    signature = "ful" + base64.b64encode(tx.serialize()).decode()
    assert len(parse_tx(tx.serialize(), 16, 16).inputs) == 2
    with pytest.raises(InvalidProof, match="exactly one input"):
        bitcoin.verify(address, MESSAGE, signature)


def test_multisig_of_one_key_repeated_needs_its_k_signatures():
    """2-of-2 over [A, A]: one signature by A does not stand for two."""
    address = sb.address([KEY, KEY], "p2wsh", k=2)
    tx = sb.unsigned_to_sign([KEY, KEY], MESSAGE, "p2wsh")
    full = sb.witness([KEY, KEY], tx, "p2wsh")
    bitcoin.verify(address, MESSAGE, _smp(full))
    short = [b"", full[1], full[-1]]
    with pytest.raises(InvalidProof, match="2 signatures"):
        bitcoin.verify(address, MESSAGE, _smp(short))


def test_an_eip191_signature_does_not_prove_a_tron_wallet_nor_a_tron_one_an_evm_wallet():
    """One secp256k1 key owns an EVM and a TRON address: its signature under one family's
    prefix is no proof under the other's."""
    key = sign_tron.new_key()
    evm_address, tron_address = sign_evm.address(key), sign_tron.address(key)
    with pytest.raises(InvalidProof):
        tron.verify(tron_address, MESSAGE, sign_evm.sign(key, MESSAGE))
    for form in ("v1", "v2"):
        with pytest.raises(InvalidProof):
            ethereum.verify(evm_address, MESSAGE, sign_tron.sign(key, MESSAGE, form))


def test_the_other_recovery_id_is_refused():
    """Flipping v (27 ↔ 28) recovers another key: refused, never read as the signer's."""
    key = sign_evm.new_key()
    text = sign_evm.sign(key, MESSAGE)
    v = int(text[-2:], 16)
    flipped = text[:-2] + f"{(55 - v) if v >= 27 else 1 - v:02x}"
    with pytest.raises(InvalidProof, match="not by"):
        ethereum.verify(sign_evm.address(key), MESSAGE, flipped)


@pytest.mark.parametrize("family, token", [("tron", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"),
                                           ("solana", "11111111111111111111111111111111")])
def test_the_zero_address_is_no_tron_or_solana_token(family, token):
    """TRON's and Solana's zero addresses stand for the native coin in tools (no token lives
    there): a wallet's TRX or SOL listed again under one would be counted twice."""
    with pytest.raises(InputError, match="native coin"):
        check_token(known(family), token, "token")
    check_token(known(family), "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" if family == "tron"
                else "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB", "token")  # USDT is a token
