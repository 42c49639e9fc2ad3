"""Proofs of control checked against signatures made by real wallet libraries
(eth-keys and published web3.js vectors for EIP-191, bitcoin-utils for signmessage), and the replay of DESIGN §8.3."""

import base64
import secrets

import pytest
from bitcoinutils.keys import P2shAddress, PrivateKey
from bitcoinutils.setup import setup
from eth_keys import keys

from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import control_message
from zksolv.reserves.bitcoin import decode_address, verify_signmessage
from zksolv.reserves.ethereum import checksum_address, personal_message_hash, verify_personal_sign

setup("mainnet")
ATTESTATION = "acme-2026-11-21"


def _eip191(message: bytes) -> bytes:
    """EIP-191 version 0x45 framing, written out here from the EIP, not from zksolv."""
    return b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message


def _eth_signed(attestation=ATTESTATION):
    """A fresh eth-keys key signs the control message as a wallet's personal_sign would."""
    key = keys.PrivateKey(secrets.token_bytes(32))
    address = key.public_key.to_checksum_address()
    raw = key.sign_msg(_eip191(control_message(attestation, address))).to_bytes()
    return address, "0x" + (raw[:64] + bytes([raw[64] + 27])).hex()


# web3.js documentation, web3.eth.accounts.sign('Some data', key):
WEB3JS_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
WEB3JS_HASH = "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
WEB3JS_SIGNATURE = ("0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd"
                    "6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c")


def _case_typo(address: str) -> str | None:
    """The address with one letter's case flipped, still mixed case; None if impossible."""
    body = address[2:]
    for i, c in enumerate(body):
        flipped = body[:i] + c.swapcase() + body[i + 1 :]
        if c.isalpha() and flipped not in (flipped.lower(), flipped.upper()):
            return "0x" + flipped
    return None


class TestEthereum:
    def test_published_web3js_vector(self):
        address = keys.PrivateKey(bytes.fromhex(WEB3JS_KEY)).public_key.to_checksum_address()
        assert personal_message_hash(b"Some data").hex() == WEB3JS_HASH
        verify_personal_sign(address, b"Some data", WEB3JS_SIGNATURE)
        with pytest.raises(InvalidProof):
            verify_personal_sign(address, b"Some data!", WEB3JS_SIGNATURE)

    def test_real_wallet_signature_verifies(self):
        address, sig = _eth_signed()
        verify_personal_sign(address, control_message(ATTESTATION, address), sig)
        verify_personal_sign(address.lower(), control_message(ATTESTATION, address), sig)

    def test_v_as_0_or_1(self):
        address, sig = _eth_signed()
        raw = bytes.fromhex(sig[2:])
        low_v = raw[:64] + bytes([raw[64] - 27])
        verify_personal_sign(address, control_message(ATTESTATION, address), low_v.hex())

    def test_replayed_signature_of_another_attestation_fails(self):
        address, sig = _eth_signed("acme-2026-10-21")
        with pytest.raises(InvalidProof):
            verify_personal_sign(address, control_message(ATTESTATION, address), sig)

    def test_someone_elses_signature_fails(self):
        address, _ = _eth_signed()
        _, other_sig = _eth_signed()
        with pytest.raises(InvalidProof, match="not by"):
            verify_personal_sign(address, control_message(ATTESTATION, address), other_sig)

    def test_eip55_checksum_enforced_on_mixed_case(self):
        address, sig = _eth_signed()
        assert checksum_address(address.lower()) == address  # eth-keys writes EIP-55
        broken = _case_typo(address)
        while broken is None:  # needs two letters of one case: almost every address
            address, sig = _eth_signed()
            broken = _case_typo(address)
        with pytest.raises(InputError, match="EIP-55"):
            verify_personal_sign(broken, control_message(ATTESTATION, broken), sig)

    @pytest.mark.parametrize("sig", ["0x1234", "zz" * 65, "00" * 64 + "1d", "00" * 65])
    def test_malformed_signatures(self, sig):
        address, _ = _eth_signed()
        with pytest.raises((InputError, InvalidProof)):
            verify_personal_sign(address, control_message(ATTESTATION, address), sig)


def _btc_key():
    key = PrivateKey()
    pub = key.get_public_key()
    segwit = pub.get_segwit_address()
    return key, {
        "p2pkh": pub.get_address().to_string(),
        "p2pkh-uncompressed": pub.get_address(compressed=False).to_string(),
        "p2wpkh": segwit.to_string(),
        "p2sh-p2wpkh": P2shAddress.from_script(segwit.to_script_pub_key()).to_string(),
    }


def _reheader(signature: str, base: int) -> str:
    """Move a Core compressed header (31–34) to BIP-137's range starting at `base`."""
    raw = base64.b64decode(signature)
    return base64.b64encode(bytes([raw[0] - 31 + base]) + raw[1:]).decode()


class TestBitcoin:
    def test_core_p2pkh_compressed_and_uncompressed(self):
        key, addresses = _btc_key()
        for kind, compressed in (("p2pkh", True), ("p2pkh-uncompressed", False)):
            address = addresses[kind]
            message = control_message(ATTESTATION, address)
            verify_signmessage(address, message, key.sign_message(message.decode(), compressed=compressed))

    @pytest.mark.parametrize("kind,base", [("p2wpkh", 39), ("p2sh-p2wpkh", 35)])
    def test_bip137_segwit_headers(self, kind, base):
        key, addresses = _btc_key()
        address = addresses[kind]
        message = control_message(ATTESTATION, address)
        core = key.sign_message(message.decode())
        verify_signmessage(address, message, _reheader(core, base))
        verify_signmessage(address, message, core)  # Electrum-style compressed header

    def test_header_must_match_address_kind(self):
        key, addresses = _btc_key()
        address = addresses["p2pkh"]
        message = control_message(ATTESTATION, address)
        with pytest.raises(InvalidProof):
            verify_signmessage(address, message, _reheader(key.sign_message(message.decode()), 39))
        uncompressed = key.sign_message(message.decode(), compressed=False)
        with pytest.raises(InvalidProof):
            verify_signmessage(address, message, uncompressed)  # key form differs from the address

    def test_replay_and_wrong_key_fail(self):
        key, addresses = _btc_key()
        other, _ = _btc_key()
        address = addresses["p2wpkh"]
        old = key.sign_message(control_message("acme-2026-10-21", address).decode())
        with pytest.raises(InvalidProof):
            verify_signmessage(address, control_message(ATTESTATION, address), _reheader(old, 39))
        forged = other.sign_message(control_message(ATTESTATION, address).decode())
        with pytest.raises(InvalidProof):
            verify_signmessage(address, control_message(ATTESTATION, address), _reheader(forged, 39))

    @pytest.mark.parametrize("address", [
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",  # a famous real address, checksum broken below
        "bc1qw508d6qejxtdg4c3zdrxpwgln5p0s8",
        "bc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
        "BC1QW508D6QEJXTDG4C3ZDRXPWGLN5p0s8",
        "0x0000000000000000000000000000000000000000",
    ])
    def test_bad_addresses_rejected(self, address):
        if address.startswith("1Boat"):
            address = address[:-1] + ("U" if address[-1] != "U" else "V")
        with pytest.raises(InputError):
            decode_address(address)

    def test_addresses_made_by_the_library_decode(self):
        _, addresses = _btc_key()
        assert decode_address(addresses["p2pkh"]).kind == "p2pkh"
        assert decode_address(addresses["p2wpkh"]).kind == "p2wpkh"
        assert decode_address(addresses["p2wpkh"].upper()).kind == "p2wpkh"
        assert decode_address(addresses["p2sh-p2wpkh"]).kind == "p2sh"


class TestPublishedAddressVectors:
    """BIP-173's example and the famous addresses of private key 1 (public key G)."""

    G = bytes.fromhex("0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")

    def test_bip173_p2wpkh_example(self):
        from zksolv.reserves.bitcoin import hash160

        decoded = decode_address("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
        assert decoded.kind == "p2wpkh"
        assert decoded.digest.hex() == "751e76e8199196d454941c45d1b3a323f1433bd6"
        assert hash160(self.G) == decoded.digest

    def test_bip173_p2wsh_takes_no_legacy_signature(self):
        """P2WSH decodes (BIP-322 proves control of it, SPEC §6.4.1) but a signmessage
        signature cannot: it is refused however its key recovers."""
        address = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"
        assert decode_address(address).kind == "p2wsh"
        with pytest.raises(InvalidProof, match="P2WSH"):
            verify_signmessage(address, b"m", "H" + "A" * 86 + "=")

    def test_private_key_one_p2pkh(self):
        from zksolv.reserves.bitcoin import hash160

        assert decode_address("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH").digest == hash160(self.G)
        assert decode_address("1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm").kind == "p2pkh"
