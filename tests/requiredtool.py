"""A tool the suite needs (node, dask): missing, it fails the test — in CI, where
ZKSOLV_REQUIRE_<NAME>=1, always — unless ZKSOLV_ALLOW_NO_<NAME>=1 says explicitly that this
run may do without it (then the test is skipped)."""

import os

import pytest


def missing(name: str, what: str) -> None:
    """Fail (or, only when explicitly allowed, skip) because `what` is missing."""
    require, allow = f"ZKSOLV_REQUIRE_{name}", f"ZKSOLV_ALLOW_NO_{name}"
    if os.environ.get(require) == "1" or os.environ.get(allow) != "1":
        pytest.fail(f"{what}; set {allow}=1 to run without it (never in CI)")
    pytest.skip(f"{what}, and {allow}=1 allows it")
