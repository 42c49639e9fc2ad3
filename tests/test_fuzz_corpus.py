"""Every fuzz seed and every kept finding through its target, in the normal suite
(tests/fuzz/; the coverage-guided runs themselves are .ci/run's fuzz step)."""

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
                                    "inclusion_proof", "range_proof", "state", "market"}
    assert all(seeds.seeds(name) for name in targets.TARGETS if name != "state")
