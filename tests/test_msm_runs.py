"""Bucket fills by sorted runs (native_msm_runs.h, SPEC.md §2.3): zk_msm_kept against py_ecc
where the run walk has its corners — runs of one point, one bucket for everything (a run
across the two chains' cut), runs ending in different lanes at different steps, a cut that
falls on a run's boundary, equal and cancelling points inside a run, lanes with no digit."""

import secrets

import pytest

from test_msm_edges import _logs
from test_msm_kept import _check, lib
from zksolv.group import N

pytestmark = pytest.mark.skipif(lib.zk_simd(-1) != 1, reason="zk_msm_kept runs on IFMA lanes")

C, WINDOWS = 10, 26   # native_msm_kept.h: KEPT_C, KEPT_WINDOWS


def _scalar(digits: list[int]) -> int:
    """The scalar whose c-bit windows are these digits (each 0 ≤ d < 2^(c−1): no recoding)."""
    assert len(digits) <= WINDOWS and all(0 <= d < 1 << (C - 1) for d in digits)
    return sum(d << (C * j) for j, d in enumerate(digits))


def test_runs_of_one_point(reference):
    """Eight points, every window its own bucket: each lane's runs are all one point long."""
    scalars = [_scalar([(3 * j + i) % 500 + 1 for j in range(WINDOWS - 1)]) for i in range(8)]
    _check(_logs(8), scalars, reference)


@pytest.mark.parametrize("size", [8, 65, 200])
def test_every_point_in_one_bucket(reference, size):
    """Every digit 5: one run a lane, across the cut into two chains (the spill bucket)."""
    _check(_logs(size), [_scalar([5] * (WINDOWS - 1))] * size, reference)


def test_cut_on_a_run_boundary(reference):
    """Per lane 13 digits 1 then 13 digits 2: the two chains' cut falls between the runs."""
    _check(_logs(8), [_scalar([1] * 13 + [2] * 13)] * 8, reference)


def test_runs_end_in_different_lanes_at_different_steps(reference):
    """Lane i's points have i + 1 windows, with digits from a set of its own size: lanes hold
    different numbers of entries and of runs, so they end runs (and pad) out of step."""
    scalars = []
    for k in range(64):
        i = k % 8
        digits = [0] * WINDOWS
        for j in range(0, WINDOWS, WINDOWS // (i + 1) or 1)[: i + 1]:
            digits[j] = 1 + secrets.randbelow(3 * i + 1)
        scalars.append(_scalar(digits[: WINDOWS - 1]))
    _check(_logs(64), scalars, reference)


@pytest.mark.parametrize("twin", ["equal", "negated"])
def test_equal_or_cancelling_points_inside_a_run(reference, twin):
    """Lane 0 takes P, then P or −P, then Q, R into the same buckets: the running sum meets
    ±P (doubled, or the identity that takes Q as it is) and goes on."""
    logs = _logs(4 * 8)
    logs[8] = logs[0] if twin == "equal" else N - logs[0]
    logs[9] = N - logs[1]                       # lane 1: P, −P and nothing after
    k = _scalar([7] * (WINDOWS - 1))
    scalars = [k] * 10 + [secrets.randbelow(N) for _ in range(6)] + [k] * 16
    scalars[17] = scalars[25] = 0              # lane 1's run ends on the identity
    _check(logs, scalars, reference)


def test_lanes_without_digits(reference):
    """Lanes 3 and 5 have only zero scalars: no entries, all padding."""
    scalars = [0 if k % 8 in (3, 5) else secrets.randbelow(N) for k in range(40)]
    _check(_logs(40), scalars, reference)
