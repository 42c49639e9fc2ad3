"""vectors/control-{tron,solana,evm}.json (SPEC.md §6.4.2): every valid case verifies through
the chain registry, every invalid one raises the error it names."""

import pytest

from conftest import VECTORS, load_json
from zksolv import errors
from zksolv.reserves import chains

FAMILIES = ("tron", "solana", "evm")
DOCS = {family: load_json(VECTORS / f"control-{family}.json") for family in FAMILIES}
CASES = [(family, case) for family, doc in DOCS.items() for case in doc["tests"]]


def _verify(case):
    chain = chains.known(case["chain"])
    chain.module.verify(case["address"], case["message"].encode(), case["signature"])


@pytest.mark.parametrize("family, case", CASES, ids=lambda x: x if isinstance(x, str) else x["comment"])
def test_vector(family, case):
    assert chains.known(case["chain"]).family == family
    if case["result"] == "valid":
        _verify(case)
    else:
        with pytest.raises(getattr(errors, case["error"])):
            _verify(case)


@pytest.mark.parametrize("family", FAMILIES)
def test_each_file_covers_the_refusals(family):
    flags = {flag for case in DOCS[family]["tests"] for flag in case["flags"]}
    assert {"ForgedKey", "WrongMessage", "OtherRound", "WrongChain", "Truncated"} <= flags
    assert any(case["result"] == "valid" for case in DOCS[family]["tests"])
