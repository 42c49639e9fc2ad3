"""Every fuzz seed and every kept finding through its target, in the normal suite
(tests/fuzz/; the coverage-guided runs themselves are .ci/run's fuzz step)."""

import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "fuzz"))

import seeds  # noqa: E402
import targets  # noqa: E402

CASES = [(name, case) for name in targets.TARGETS for case in seeds.seeds(name) if name != "state"]


@pytest.mark.parametrize("target,case", CASES)
def test_fuzz_case_returns_or_refuses(target, case):
    """The fuzz property: a ZksolvError or nothing (targets re-raise anything else)."""
    targets.TARGETS[target](seeds.seeds(target)[case])


def test_state_seed_and_findings():
    for data in seeds.seeds("state").values():
        targets.state(data)


def test_targets_reject_what_they_should():
    """The targets really reach the readers: a seed passes, and a flipped byte is refused
    with a ZksolvError (which the target swallows) rather than passing silently."""
    from zksolv.errors import ZksolvError

    data = seeds.seeds("manifest")["manifest.json"]
    targets.manifest.__wrapped__(data)
    with pytest.raises(ZksolvError):
        targets.manifest.__wrapped__(data.replace(b'"version": 1', b'"version": true'))


def test_every_format_has_a_target_and_seeds():
    assert set(targets.TARGETS) == {"ledger", "reserves", "snapshot", "circuits", "manifest", "audit_file",
                                    "inclusion_proof", "range_proof", "state", "market", "reserves_v2",
                                    "snapshot_pinned", "exchange_signature", "exchange_key", "control_bitcoin",
                                    "control_chains"}
    assert all(seeds.seeds(name) for name in targets.TARGETS if name != "state")


def test_run_py_fuzzes_every_target():
    import run

    assert set(run.NAMES) == set(targets.TARGETS)


def test_all_targets_share_the_time_budget():
    """`run.py --all` keeps the CI step bounded: a target gets its share of the budget left,
    never more than --seconds, never less than the minimum."""
    import run

    assert run.time_cap(20, 170, 16) == 10
    assert run.time_cap(20, 170, 2) == 20
    assert run.time_cap(20, 5, 4) == run.MIN_SECONDS == 3
    assert run.time_cap(20, -30, 1) == 3


@pytest.mark.parametrize("family", ["all", "bitcoin", "evm", "tron", "solana"])
def test_v2_seeds_pass_every_check_of_each_family(family):
    """Each family's version-2 seed reaches, and passes, its proofs of control (the fuzzer
    starts from inputs that get through every check), and a changed signature of that family
    is refused — so the target really verifies the family's signatures."""
    from zksolv.errors import ZksolvError
    from zksolv.reserves import file

    data = seeds.seeds("reserves_v2")[f"v2-{family}.json"]
    families = {block.chain.family for block in file.parse(json.loads(data), "seed").chains.values()}
    assert families == ({"bitcoin", "evm", "tron", "solana"} if family == "all" else {family})
    targets.reserves_v2.__wrapped__(data)
    doc = json.loads(data)
    for asset in doc["assets"].values():
        for wallet in asset["wallets"]:
            changed = json.loads(data)
            signatures = [w for a in changed["assets"].values() for w in a["wallets"]
                          if w["signature"] == wallet["signature"]]
            for w in signatures:
                w["signature"] = _changed(w["signature"])
            with pytest.raises(ZksolvError):
                targets.reserves_v2.__wrapped__(json.dumps(changed).encode())


def test_the_manifest_target_reads_a_custody_object():
    """The manifest seed with a custody object reads as a version-2 round; a custody object
    out of its normalized form is refused."""
    from zksolv.errors import ZksolvError

    data = seeds.seeds("manifest")["manifest-custody.json"]
    targets.manifest.__wrapped__(data)
    with pytest.raises(ZksolvError, match="normalized form"):
        targets.manifest.__wrapped__(data.replace(b'"hash": "0x5a5a', b'"hash": "0x5A5a', 1))


def _changed(signature: str) -> str:
    """One character of the signature's middle replaced by another of its alphabet."""
    i = len(signature) // 2
    return signature[:i] + ("2" if signature[i] != "2" else "3") + signature[i + 1:]


@pytest.mark.parametrize("target", ["snapshot_pinned", "exchange_signature", "exchange_key"])
def test_issue12_targets_pass_their_valid_seed_and_refuse_a_changed_one(target):
    from zksolv.errors import ZksolvError

    valid = {"snapshot_pinned": "pinned.csv", "exchange_signature": "exchange-signature-1.json",
             "exchange_key": "key"}[target]
    data = seeds.seeds(target)[valid]
    targets.TARGETS[target].__wrapped__(data)
    with pytest.raises(ZksolvError):
        targets.TARGETS[target].__wrapped__(data.replace(b"5", b"6", 1))


@pytest.mark.parametrize("target,families", [("control_bitcoin", ("bitcoin",)),
                                             ("control_chains", ("tron", "solana", "evm"))])
def test_control_targets_verify_every_valid_vector_in_each_spelling(target, families):
    """Every valid vector of the families, as text and as raw bytes spelled by the target,
    verifies through the target; with one raw byte changed it is refused."""
    import seeds_v2
    from zksolv.errors import ZksolvError

    valid = {f"{family}-{t['tc_id']}" for family in families
             for t in json.loads((seeds_v2.VECTORS / f"control-{family}.json").read_text())["tests"]
             if t["result"] == "valid"}
    found = seeds.seeds(target)
    for name in valid:
        for spelling in ("text", "encoded"):
            targets.TARGETS[target].__wrapped__(found[f"{name}-{spelling}"])
        encoded = bytearray(found[f"{name}-encoded"])
        encoded[len(encoded) // 2] ^= 1
        with pytest.raises(ZksolvError):
            targets.TARGETS[target].__wrapped__(bytes(encoded))
