"""Strict, bounded JSON: the one parser for every JSON document zksolv reads (SPEC.md §1.1).

`loads` accepts RFC 8259 JSON in UTF-8 and refuses, with a one-line `JSONError`:
duplicate object keys, `NaN`/`Infinity`, any number with a fraction or exponent (zksolv's
formats hold integers only), integers over MAX_INTEGER_DIGITS digits or written `-0`,
nesting deeper than MAX_DEPTH, and strings holding lone surrogates (they have no UTF-8
form, so they could never be hashed). The depth is checked on the text before the
recursive parser sees it.

The field readers below (`obj`, `integer`, `text`, `hex_bytes`, `digits`) give each
published value one accepted form: exact JSON types (a bool is not an integer, a float
or a string is not an integer), lower-case hex, no missing or extra keys.
"""

import json
import re

from zksolv.errors import EncodingError

MAX_BYTES = 16 << 20
"""Default size cap of a JSON document: a manifest of 20,000 wallets is about 5 MiB."""
MAX_DEPTH = 16
"""Deepest nesting of arrays and objects; zksolv's formats need 6."""
MAX_INTEGER_DIGITS = 40
"""Longest JSON integer; zksolv's largest is an audit file size (< 2^39, 12 digits)."""


NOT_PRINTABLE = (
    (0x0000, 0x001F), (0x007F, 0x00A0), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x1680, 0x1680),
    (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F),
    (0x3000, 0x3000), (0xD800, 0xF8FF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
"""The code points text fields refuse (SPEC.md §6.1 "printable"), fixed: Unicode 17.0's general
categories Cc, Cf, Cs, Co, Zs, Zl and Zp but the space — Unicode 14.0's (Python 3.11's
`str.isprintable`) and U+13439–U+1343F, format controls since 15.0. Unassigned code points are
accepted, so the rule does not move with an implementation's Unicode version."""
_NOT_PRINTABLE = re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in NOT_PRINTABLE) + "]")


def printable(value: str) -> bool:
    """No code point of NOT_PRINTABLE (SPEC.md §6.1); like `str.isprintable`, true for ''."""
    return _NOT_PRINTABLE.search(value) is None


class JSONError(EncodingError):
    """Text that is not strict JSON (or a value not in its one accepted form)."""


_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.S)  # an unterminated one runs to the end
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")


def loads(data: bytes | str):
    """The value of a strict JSON document (see the module docstring)."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    _check_depth(data)
    try:
        doc = _DECODER.decode(data)
    except json.JSONDecodeError as exc:
        raise JSONError(f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    _check_strings(doc)
    return doc


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH: strings removed, then innermost empty pairs
    removed MAX_DEPTH times; anything left is deeper (or unbalanced)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(MAX_DEPTH):
        if not brackets:
            return
        brackets = _EMPTY_PAIR.sub("", brackets)
    if brackets:
        raise JSONError(f"arrays and objects nested deeper than {MAX_DEPTH} levels (or unbalanced)")


def _object(pairs):
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise JSONError(f"duplicate key {one_line(duplicate)!r}")
    return doc


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JSONError(f"an integer of {len(literal.lstrip('-'))} digits (at most {MAX_INTEGER_DIGITS})")
    if literal == "-0":
        raise JSONError("-0 is not the canonical form of 0")
    return int(literal)


def _no_fraction(literal: str):
    raise JSONError(f"number {one_line(literal)} has a fraction or exponent; integers only")


def _no_constant(name: str):
    raise JSONError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_int=_integer, parse_float=_no_fraction,
                            parse_constant=_no_constant, strict=True)


def _check_strings(value) -> None:
    """Every key and string encodes as UTF-8 (an escaped lone surrogate does not)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise JSONError("a string holds a lone UTF-16 surrogate") from None
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)


def one_line(text: str, limit: int = 120) -> str:
    """`text` safe for a one-line message: non-printable characters escaped, shortened."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


# Field readers: each raises `error` (EncodingError unless the caller's format says
# otherwise) with a message naming `where`.

_HEX = re.compile(r"(?:[0-9a-f]{2})*")
_DIGITS = re.compile(r"0|[1-9][0-9]*")


def obj(value, where: str, required: tuple[str, ...], optional: tuple[str, ...] = (),
        error=EncodingError) -> dict:
    """`value` as an object with every `required` key, and no key outside `optional`."""
    if not isinstance(value, dict):
        raise error(f"{where}: must be an object")
    missing = [k for k in required if k not in value]
    if missing:
        raise error(f"{where}: missing {', '.join(missing)}")
    extra = [k for k in value if k not in required and k not in optional]
    if extra:
        raise error(f"{where}: unknown key {one_line(extra[0])!r}")
    return value


def integer(value, where: str, low: int, high: int, error=EncodingError) -> int:
    """A JSON integer (not a bool, float or string) from `low` to `high`."""
    if type(value) is not int or not low <= value <= high:
        raise error(f"{where}: must be an integer from {low} to {high}")
    return value


def text(value, where: str, pattern: re.Pattern | None = None, max_bytes: int = 256,
         error=EncodingError) -> str:
    """A string of 1 to `max_bytes` UTF-8 bytes of printable text (matching `pattern`);
    printable first, so a lone surrogate (no UTF-8 form) is refused, not encoded."""
    if not isinstance(value, str) or not value or not printable(value) or len(value.encode()) > max_bytes \
            or (pattern is not None and not pattern.fullmatch(value)):
        raise error(f"{where}: must be 1–{max_bytes} bytes of printable text"
                    + (f" matching {pattern.pattern}" if pattern is not None else ""))
    return value


def hex_bytes(value, where: str, size: int | None = None, max_size: int = 1 << 16,
              error=EncodingError) -> bytes:
    """Lower-case hex of exactly `size` bytes (or at most `max_size`)."""
    limit = size if size is not None else max_size
    if not isinstance(value, str) or len(value) > 2 * limit or not _HEX.fullmatch(value) \
            or (size is not None and len(value) != 2 * size):
        what = f"{size} bytes" if size is not None else f"at most {max_size} bytes"
        raise error(f"{where}: must be lower-case hex of {what}")
    return bytes.fromhex(value)


def digits(value, where: str, max_digits: int, error=EncodingError) -> int:
    """A non-negative integer written as a decimal string, canonically: no sign, no
    leading zero, no space, at most `max_digits` digits."""
    if not isinstance(value, str) or len(value) > max_digits or not _DIGITS.fullmatch(value):
        raise error(f"{where}: must be a decimal integer string of at most {max_digits} digits")
    return int(value)
