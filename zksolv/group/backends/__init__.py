"""Backend registry: the fastest installed backend is the default (SPEC.md §2.3).

Measured here (bench/RESULTS.md): coincurve 32 µs / pycryptodome 157 µs / py_ecc 1530 µs per
scalar multiplication, so the order is coincurve, pycryptodome, py_ecc; zksolv's own C kernel
("native", built at install time where a compiler is present) comes first: it multiplies
through coincurve and is several times faster at MSM and folding.
"""

import importlib

from zksolv.errors import InputError

_MODULES = {
    "native": ("zksolv.group.backends.native", "NativeBackend"),
    "coincurve": ("zksolv.group.backends.coincurve", "CoincurveBackend"),
    "pycryptodome": ("zksolv.group.backends.pycryptodome", "PycryptodomeBackend"),
    "py_ecc": ("zksolv.group.backends.pyecc", "PyEccBackend"),
}
PREFERENCE = ("native", "coincurve", "pycryptodome", "py_ecc")
_loaded: dict = {}


def get(name: str):
    """The backend called `name`; InputError if it is unknown or its library is missing."""
    if name not in _loaded:
        if name not in _MODULES:
            raise InputError(f"unknown backend {name!r}; known: {', '.join(PREFERENCE)}")
        module, cls = _MODULES[name]
        try:
            _loaded[name] = getattr(importlib.import_module(module), cls)()
        except ImportError as exc:
            raise InputError(f"backend {name!r} is not installed: {exc}") from exc
    return _loaded[name]


def available() -> list[str]:
    """Names of the backends whose libraries import here, fastest first."""
    names = []
    for name in PREFERENCE:
        try:
            get(name)
        except InputError:
            continue
        names.append(name)
    return names


def fastest():
    """The fastest installed backend (importing no slower one)."""
    for name in PREFERENCE:
        try:
            return get(name)
        except InputError:
            continue
    raise InputError("no secp256k1 backend is installed")
