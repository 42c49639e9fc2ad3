"""Builds zksolv's optional C kernel; all other metadata is in pyproject.toml.

The kernel is plain C (no Python headers) loaded with ctypes. `optional=True` lets the
install succeed without a C compiler: zksolv then falls back to the coincurve backend.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension(
    "zksolv.group.backends._native",
    sources=["zksolv/group/backends/native.c"],
    depends=["zksolv/group/backends/native_ifma.h", "zksolv/group/backends/native_msm8.h",
             "zksolv/group/backends/native_msm_kept.h", "zksolv/group/backends/native_msm_runs.h",
             "zksolv/group/backends/native_fold8.h",
             "zksolv/group/backends/native_fold2.h", "zksolv/group/backends/native_fold_affine.h",
             "zksolv/group/backends/native_ct.h",
             "zksolv/group/backends/native_scalar.h",
             "zksolv/group/backends/native_verify.h",
             "zksolv/group/backends/native_margin.h",
             "zksolv/group/backends/native_prove.h",
             "zksolv/group/backends/native_lanes.h", "zksolv/group/backends/native_ct8.h",
             "zksolv/group/backends/native_sha8.h",
             "zksolv/group/backends/native_set_lp.h", "zksolv/group/backends/native_set_li.h",
             "zksolv/group/backends/native_glv.h",
             "zksolv/group/backends/native_ctsc8.h"],
    extra_compile_args=["-O3"],
    optional=True,
)])
