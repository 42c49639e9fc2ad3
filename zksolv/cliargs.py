"""Strict parsing of command-line values (SPEC.md §8).

One accepted spelling per value, checked before any work: ASCII digits only (Python's
`int` would take "８", "+8", " 8 " and "1_0"), real UTC times, digests as exactly 64 hex
digits, user ids as the ledger allows them. Every refusal is a `click.BadParameter`, a
usage error (exit 2): what is wrong is on the command line itself, whatever the files say.
"""

import re
from datetime import datetime

import click

from zksolv.errors import InputError
from zksolv.ledger import MAX_USER_ID_BYTES
from zksolv.strictjson import printable
from zksolv.tree import check_capacity

_DIGITS = re.compile(r"0|[1-9][0-9]{0,17}")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_TIMESTAMP = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")
_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx|inproc)://[^\s/]+")  # the schemes Dask knows: any other is its ValueError
_AMOUNT = re.compile(r"-?[0-9]{1,80}(\.[0-9]{1,40})?")  # signed: a margin customer's debt
MAX_COVERAGE_CHARS = 40


def one_line(text: str) -> str:
    """`text` with every unprintable character escaped (newlines, terminal escapes, the
    surrogates that stand for bytes that are not UTF-8): an error message stays one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in str(text))


def quoted(text: str) -> str:
    """`text` in quotes for a message, escaped to one line."""
    return f"'{one_line(text)}'"


def _utf8(value: str, param, ctx) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise click.BadParameter(f"{quoted(value)} is not valid UTF-8", ctx, param) from None
    return value


class Count(click.ParamType):
    """A whole number in [low, high], written in ASCII digits without sign or leading zero."""

    name = "integer"

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _DIGITS.fullmatch(value):
            number = int(value)
        else:
            self.fail(f"{quoted(value)} is not a whole number in ASCII digits", param, ctx)
        if not self.low <= number <= self.high:
            self.fail(f"{number} is not in [{self.low}, {self.high}]", param, ctx)
        return number


class Capacity(Count):
    """Leaves per asset tree: a power of two, at most 2^MAX_DEPTH."""

    def __init__(self):
        super().__init__(1, 1 << 32)

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        try:
            return check_capacity(number)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Percentage(click.ParamType):
    """A coverage percentage ≥ 100, up to 4 decimals: the text, checked by the prover's rule."""

    name = "percent"

    def convert(self, value, param, ctx):
        from zksolv.attestation.prove import coverage_ratio

        _utf8(value, param, ctx)
        if len(value) > MAX_COVERAGE_CHARS:
            self.fail(f"a percentage of at most {MAX_COVERAGE_CHARS} characters, got {len(value)}", param, ctx)
        try:
            coverage_ratio(value)
        except InputError as exc:
            self.fail(one_line(str(exc).removeprefix("--coverage: ")), param, ctx)
        return value


class Timestamp(click.ParamType):
    """A real UTC time, YYYY-MM-DDTHH:MM:SSZ."""

    name = "timestamp"

    def convert(self, value, param, ctx):
        match = _TIMESTAMP.fullmatch(value)
        try:
            if match:
                datetime(*(int(g) for g in match.groups()))
                return value
        except ValueError:
            pass
        self.fail(f"{quoted(value)} is not a UTC time like 2026-11-21T10:00:00Z", param, ctx)


class Digest(click.ParamType):
    """A SHA-256 digest: exactly 64 hex digits, returned in lower case."""

    name = "hex"

    def convert(self, value, param, ctx):
        if not _HEX64.fullmatch(value):
            self.fail(f"{quoted(value)} is not 64 hex digits", param, ctx)
        return value.lower()


class UserId(click.ParamType):
    """A user id as the ledger allows it: 1–256 bytes of printable UTF-8."""

    name = "id"

    def convert(self, value, param, ctx):
        _utf8(value, param, ctx)
        if not value or len(value.encode()) > MAX_USER_ID_BYTES or not printable(value):
            self.fail(f"a user id is 1–{MAX_USER_ID_BYTES} bytes of printable text, got {quoted(value)}",
                      param, ctx)
        return value


class Address(click.ParamType):
    """A Dask scheduler address, SCHEME://HOST:PORT."""

    name = "address"

    def convert(self, value, param, ctx):
        if not _ADDRESS.fullmatch(_utf8(value, param, ctx)):
            self.fail(f"{quoted(value)} is not an address like tcp://HOST:PORT", param, ctx)
        return value


class Balance(click.ParamType):
    """ASSET=AMOUNT: an asset name and a plain decimal amount (negative: a debt)."""

    name = "ASSET=AMOUNT"

    def convert(self, value, param, ctx):
        asset, sep, amount = _utf8(value, param, ctx).partition("=")
        if not sep or not asset or not asset.isprintable() or not _AMOUNT.fullmatch(amount):
            self.fail(f"{quoted(value)} is not ASSET=AMOUNT (a plain decimal amount)", param, ctx)
        return asset, amount


class FilePath(click.ParamType):
    """A path: any bytes the OS allows (shown escaped), never empty. What is there is the
    command's to check (exit 3), not the parser's."""

    name = "path"

    def __init__(self, kind: str = "file"):
        self.name = kind

    def convert(self, value, param, ctx):
        if value == "":
            self.fail("an empty path", param, ctx)
        return value


class Location(click.ParamType):
    """Where shards live (SPEC.md §6.9.1): a local path, or a URL `protocol://…` for fsspec
    (UTF-8, printable, at most MAX_LOCATION_CHARS). Reachable or not is the command's to
    check (exit 3)."""

    name = "path|URL"

    def convert(self, value, param, ctx):
        if value == "" or len(value) > MAX_LOCATION_CHARS or not _utf8(value, param, ctx).isprintable():
            self.fail(f"{quoted(value[:200])} is not a path or URL (printable, 1 to {MAX_LOCATION_CHARS} "
                      "characters)", param, ctx)
        return value


MAX_LOCATION_CHARS = 1024


class EvmAddress(click.ParamType):
    """An Ethereum address (0x + 40 hex digits, EIP-55 checked when mixed case), returned in
    lower case: the exchange's identity (`--signer`, SPEC.md §6.17)."""

    name = "address"

    def convert(self, value, param, ctx):
        from zksolv.reserves.ethereum import normalize_address

        try:
            return normalize_address(_utf8(value, param, ctx))
        except InputError as exc:
            self.fail(one_line(str(exc)), param, ctx)


class Signature65(click.ParamType):
    """An EIP-191 signature: 0x and 130 hex digits (r ‖ s ‖ v)."""

    name = "0xHEX"

    def convert(self, value, param, ctx):
        if not re.fullmatch(r"0x[0-9a-fA-F]{130}", value):
            self.fail(f"{quoted(value[:140])} is not 0x and 130 hex digits (r‖s‖v)", param, ctx)
        return value
