"""The round keys' HMAC with its pads hashed once (roundkeys._Keyed) against the standard
library's HMAC (RFC 2104), for keys shorter than, as long as and longer than each hash's block."""

import hashlib
import hmac

import pytest

from zksolv import roundkeys


@pytest.mark.parametrize("hash_fn", [hashlib.sha256, hashlib.sha512])
@pytest.mark.parametrize("key_size", [0, 1, 32, 63, 64, 65, 127, 128, 129, 200])
def test_keyed_hmac_is_rfc_2104(hash_fn, key_size):
    key = bytes((7 * i + key_size) % 256 for i in range(key_size))
    keyed = roundkeys._Keyed(key, hash_fn)
    for message in (b"", b"zksolv", bytes(range(256)) * 3):
        assert keyed(message) == hmac.new(key, message, hash_fn).digest()


def test_round_keys_follow_the_master_they_are_given():
    """The pads are kept for the last master only, found by identity: a second master (even
    equal bytes in another object) gives its own keys, and the first's come back after."""
    first, second = b"\x01" * 32, b"\x02" * 32
    expected = {m: hmac.new(m, roundkeys.framed(b"zksolv/v1/user-secret") + roundkeys.framed(b"alice"),
                            hashlib.sha256).digest() for m in (first, second)}
    assert roundkeys.user_secret(first, "alice") == expected[first]
    assert roundkeys.user_secret(second, "alice") == expected[second]
    assert roundkeys.user_secret(bytes(bytearray(first)), "alice") == expected[first]


def test_a_master_changed_in_place_gets_its_new_keys():
    """A mutable master (a bytearray) keeps its identity when its bytes change: the keys
    must follow the bytes, not the object."""
    master = bytearray(b"\x03" * 32)
    before = roundkeys.user_secret(master, "alice")
    master[:] = b"\x04" * 32
    assert roundkeys.user_secret(master, "alice") == roundkeys.user_secret(b"\x04" * 32, "alice") != before
