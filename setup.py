"""Builds zksolv's optional C kernel; all other metadata is in pyproject.toml.

The kernel is plain C (no Python headers) loaded with ctypes. `optional=True` lets the
install succeed without a C compiler: zksolv then falls back to the coincurve backend.
"""

import glob

from setuptools import Extension, setup

setup(ext_modules=[Extension(
    "zksolv.group.backends._native",
    sources=["zksolv/group/backends/native.c"],
    # every header native.c includes, so that a changed header rebuilds the kernel
    depends=sorted(glob.glob("zksolv/group/backends/native_*.h")),
    extra_compile_args=["-O3"],
    optional=True,
)])
