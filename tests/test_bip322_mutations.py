"""Every single-bit change of a valid Bitcoin proof is refused, and arbitrary bytes in any
form are refused with a ZksolvError, never another exception (which the CLI would report as
an internal error, exit 4) and never a pass (SPEC.md §6.4.1)."""

import base64

import pytest
from hypothesis import given, settings, strategies as st

from conftest import VECTORS, load_json
from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import bitcoin

VALID = [t for t in load_json(VECTORS / "control-bitcoin.json")["tests"] if t["result"] == "valid"]


def _split(signature):
    prefix = signature[:3] if signature[:3] in ("smp", "ful") else ""
    return prefix, base64.b64decode(signature[len(prefix):])


@pytest.mark.parametrize("case", VALID, ids=lambda t: t["comment"])
def test_every_bit_flip_is_refused(case):
    prefix, raw = _split(case["signature"])
    message = case["message"].encode()
    for position in range(len(raw)):
        for bit in (0x01, 0x02, 0x80):
            changed = raw[:position] + bytes([raw[position] ^ bit]) + raw[position + 1:]
            with pytest.raises((InputError, InvalidProof)):
                bitcoin.verify(case["address"], message, prefix + base64.b64encode(changed).decode())


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(prefix=st.sampled_from(["", "smp", "ful", "pof"]), raw=st.binary(max_size=400),
       case=st.sampled_from(VALID))
def test_arbitrary_bytes_are_refused(prefix, raw, case):
    with pytest.raises((InputError, InvalidProof)):
        bitcoin.verify(case["address"], case["message"].encode(), prefix + base64.b64encode(raw).decode())


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(case=st.sampled_from(VALID), data=st.data())
def test_spliced_witness_items_are_refused(case, data):
    """Witness stacks rebuilt from a valid one's items, reordered, dropped or repeated."""
    from zksolv.reserves.bitcoin_tx import parse_witness, serialize_witness

    prefix, raw = _split(case["signature"])
    if prefix != "smp":
        return
    items = parse_witness(raw)
    stack = data.draw(st.lists(st.sampled_from(items + [b""]), max_size=len(items) + 2))
    if stack == items:
        return
    signature = "smp" + base64.b64encode(serialize_witness(stack)).decode()
    with pytest.raises((InputError, InvalidProof)):
        bitcoin.verify(case["address"], case["message"].encode(), signature)
