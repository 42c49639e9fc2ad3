"""secp256k1 scalars and points, encodings, hash_to_curve and backends (SPEC.md §2).

The lowest layer of zksolv: nothing here imports from the rest of the package.
"""

from zksolv.group.curve import N, P
from zksolv.group.h2c import expand_message_xmd, hash_to_curve, hash_to_curve_many, hash_to_field
from zksolv.group.point import (Point, affine_bytes, base_mul, bits_commit_secret, default_backend, fold, msm,
                                msm_secret, point_sum, set_default_backend)
from zksolv.group.scalar import Scalar

__all__ = [
    "affine_bytes",
    "N",
    "P",
    "Point",
    "Scalar",
    "base_mul",
    "bits_commit_secret",
    "default_backend",
    "expand_message_xmd",
    "fold",
    "hash_to_curve",
    "hash_to_curve_many",
    "hash_to_field",
    "msm",
    "msm_secret",
    "point_sum",
    "set_default_backend",
]
