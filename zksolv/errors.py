"""The one error hierarchy of zksolv (SPEC.md §1).

Every layer raises a subclass of `ZksolvError`; the CLI catches it once and maps it to an
exit code. Nothing in zksolv signals failure by returning a bool.
"""


class ZksolvError(Exception):
    """Base class of every error zksolv raises on purpose."""


class EncodingError(ZksolvError):
    """Bytes that are not the canonical encoding of what they claim to be."""


class InvalidProof(ZksolvError):
    """A proof, commitment or hash that does not verify."""


class InputError(ZksolvError):
    """Malformed user input: a file, a field, a parameter out of range."""


class Insolvent(ZksolvError):
    """Reserves do not cover liabilities (or the coverage asked for): nothing is proven."""
