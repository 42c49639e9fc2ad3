"""RFC 9380 hash_to_curve against the RFC's own published vectors (vectors/external)."""

import pytest

from conftest import EXTERNAL, load_json
from zksolv.group import expand_message_xmd, hash_to_curve, hash_to_field
from zksolv.group.h2c import map_to_curve

SUITE = load_json(EXTERNAL / "rfc9380_secp256k1_XMD_SHA-256_SSWU_RO_.json")
XMD_FILES = ["rfc9380_expand_message_xmd_SHA256_38.json", "rfc9380_expand_message_xmd_SHA256_256.json"]


def _xmd_cases():
    for name in XMD_FILES:
        doc = load_json(EXTERNAL / name)
        for i, case in enumerate(doc["tests"]):
            yield pytest.param(doc["DST"], case, id=f"{name[-8:-5]}-{i}")


def _xy(point_json):
    return int(point_json["x"], 16), int(point_json["y"], 16)


@pytest.mark.parametrize("dst,case", list(_xmd_cases()))
def test_expand_message_xmd(dst, case):
    out = expand_message_xmd(case["msg"].encode(), dst.encode(), int(case["len_in_bytes"], 16))
    assert out.hex() == case["uniform_bytes"]


@pytest.mark.parametrize("case", SUITE["vectors"], ids=lambda c: repr(c["msg"][:12]))
def test_hash_to_field(case):
    assert hash_to_field(case["msg"].encode(), SUITE["dst"].encode()) == [int(u, 16) for u in case["u"]]


@pytest.mark.parametrize("case", SUITE["vectors"], ids=lambda c: repr(c["msg"][:12]))
def test_map_to_curve_and_hash_to_curve(case, backend):
    u0, u1 = (int(u, 16) for u in case["u"])
    assert map_to_curve(u0, backend).affine() == _xy(case["Q0"])
    assert map_to_curve(u1, backend).affine() == _xy(case["Q1"])
    assert hash_to_curve(case["msg"].encode(), SUITE["dst"].encode(), backend).affine() == _xy(case["P"])


def test_suite_parameters_match_the_vector_file():
    from zksolv.group import h2c

    assert SUITE["ciphersuite"].encode() == h2c.SUITE
    assert int(SUITE["Z"], 16) == h2c._Z
    assert int(SUITE["field"]["p"], 16) == h2c.P
