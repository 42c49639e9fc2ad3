"""Shared fixtures: every backend, and where the vectors are."""

import json
import os
import pathlib
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings

from zksolv.group import backends

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXTERNAL = ROOT / "vectors" / "external"   # RFC 9380 vectors, copied with their provenance
VECTORS = ROOT / "vectors"

# zkstest:// objects (tests/zkstestfs.py) under this session's own directory, 0700, set
# before any worker or subprocess starts so that they inherit it.
_OWN_ZKSTEST_ROOT = "ZKSOLV_ZKSTEST_ROOT" not in os.environ
if _OWN_ZKSTEST_ROOT:
    os.environ["ZKSOLV_ZKSTEST_ROOT"] = tempfile.mkdtemp(prefix="zksolv-zkstest-")


def pytest_sessionfinish(session, exitstatus):
    """The session's zkstest:// directory removed with the session (if it made it)."""
    if _OWN_ZKSTEST_ROOT:
        shutil.rmtree(os.environ["ZKSOLV_ZKSTEST_ROOT"], ignore_errors=True)

settings.register_profile(
    "zksolv", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("zksolv")


def load_json(path: pathlib.Path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(params=backends.PREFERENCE)
def backend(request):
    """Each arithmetic backend in turn: the fast ones and the py_ecc reference."""
    return backends.get(request.param)


@pytest.fixture(params=[b for b in backends.PREFERENCE if b != "py_ecc"])
def fast_backend(request):
    """Each C-backed backend, to be checked against py_ecc."""
    return backends.get(request.param)


@pytest.fixture(scope="session")
def reference():
    return backends.get("py_ecc")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """One real Dask cluster (`dask scheduler` + two `dask worker`, tests/clusterkit.py) for
    every test that asks for it, ended with the session."""
    from clusterkit import real_cluster

    with real_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running
