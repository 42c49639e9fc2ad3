"""Bucket fills by sorted runs (native_msm_runs.h, SPEC.md §2.3): zk_msm_kept against py_ecc
where the run walk has its corners — runs of one point, one bucket for everything (a run
across the two chains' cut, one lane holding every entry), runs ending in different lanes at
different steps, a cut that falls on a run's boundary, equal and cancelling points inside a
run, lanes with no digit, every lane's last bucket. Lane i owns the buckets |d| with
|d| − 1 ≡ i (mod 8)."""

import secrets

import pytest

from test_msm_edges import _logs
from test_msm_kept import _check, lib
from zksolv.group import N

pytestmark = pytest.mark.skipif(lib.zk_simd(-1) != 1, reason="zk_msm_kept runs on IFMA lanes")

C, WINDOWS = 13, 20   # native_msm_kept.h: KEPT_C, KEPT_WINDOWS
HALF = 1 << (C - 1)


def _scalar(digits: list[int]) -> int:
    """The scalar whose c-bit windows are these digits (each 0 ≤ d ≤ 2^(c−1): no recoding)."""
    assert len(digits) < WINDOWS and all(0 <= d <= HALF for d in digits)
    return sum(d << (C * j) for j, d in enumerate(digits))


def test_runs_of_one_point(reference):
    """Eight points, every window its own bucket: each lane's runs are all one point long."""
    scalars = [_scalar([(3 * j + i) % 500 + 1 for j in range(WINDOWS - 1)]) for i in range(8)]
    _check(_logs(8), scalars, reference)


@pytest.mark.parametrize("size", [8, 65, 200])
def test_every_point_in_one_bucket(reference, size):
    """Every digit 5: one lane holds every entry (more steps than the scratch keeps), the
    others pad; one run, across the cut into two chains (the spill bucket)."""
    _check(_logs(size), [_scalar([5] * (WINDOWS - 1))] * size, reference)


def test_cut_on_a_run_boundary(reference):
    """Digits 1 and 9 (lane 0's local buckets 0 and 1), as many of each: the two chains' cut
    falls between the runs."""
    _check(_logs(8), [_scalar([1] * 9 + [9] * 9 + [0])] * 8, reference)


def test_runs_end_in_different_lanes_at_different_steps(reference):
    """Digits ≡ i + 1 (mod 8), lane i's, in i + 1 windows of a point and from a set of i + 1
    buckets: lanes hold different numbers of entries and of runs, so they end runs (and pad)
    out of step."""
    scalars = []
    for k in range(64):
        i = k % 8
        digits = [0] * WINDOWS
        for j in range(0, WINDOWS, WINDOWS // (i + 1) or 1)[: i + 1]:
            digits[j] = i + 1 + 8 * secrets.randbelow(i + 1)
        scalars.append(_scalar(digits[: WINDOWS - 1]))
    _check(_logs(64), scalars, reference)


@pytest.mark.parametrize("twin", ["equal", "negated"])
def test_equal_or_cancelling_points_inside_a_run(reference, twin):
    """Every point's digits 7 (one bucket a window, lane 6), so a run takes points 0, 1, 2, …
    of a slot in turn; P_2 = ±(P_0 + P_1): the running sum meets ±P_2 after two points
    (doubled, or the identity that takes P_3 as it is) and goes on. Points 8 and 9, P and −P
    with digit 14 in window 0 only, are a run of their own that ends on the identity."""
    logs = _logs(32)
    both = (logs[0] + logs[1]) % N
    logs[2] = both if twin == "equal" else N - both
    logs[9] = N - logs[8]
    scalars = [_scalar([7] * (WINDOWS - 1))] * 32
    scalars[8] = scalars[9] = _scalar([14])
    _check(logs, scalars, reference)


def test_lanes_without_digits(reference):
    """No digit ≡ 4 or 6 (mod 8): lanes 3 and 5 have no entries, all padding; some scalars
    zero."""
    def digit():
        d = 1 + secrets.randbelow(HALF)
        return d + 1 if (d - 1) % 8 in (3, 5) else d
    scalars = [0 if k % 5 == 2 else _scalar([digit() for _ in range(WINDOWS - 1)])
               for k in range(40)]
    _check(_logs(40), scalars, reference)


def test_every_lanes_last_buckets(reference):
    """Digits 2^(c−1) − i and small ones: each lane's last local bucket and its first, so a
    lane's weights 8(k + 1) − (7 − i) are checked at both ends."""
    scalars = [_scalar([HALF - (k + j) % 8 if j % 2 else 1 + (k + j) % 8
                        for j in range(WINDOWS - 1)]) for k in range(24)]
    _check(_logs(24), scalars, reference)
