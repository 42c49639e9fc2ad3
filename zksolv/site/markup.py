"""HTML built as a tree of elements: every text and attribute value is escaped when written.

Everything on the published page that comes from an attestation (ids, addresses, asset
names, chain names) is untrusted text: it only ever reaches the page through `el`, which
escapes it, so no field can open a tag, close a script or add an attribute (issue 13)."""

import html
import re
from dataclasses import dataclass

_NAME = re.compile(r"[a-z][a-z0-9-]*")
VOID = frozenset({"meta", "link", "input", "br", "hr", "img"})


@dataclass(frozen=True)
class Raw:
    """Markup written by this module's callers from constants only, never from data."""

    text: str


def el(tag: str, attrs: dict | None = None, *children) -> Raw:
    """`<tag attrs>children</tag>`: names checked, values and text escaped; a child is text
    (escaped), a Raw (kept), None (skipped) or a list of those."""
    if not _NAME.fullmatch(tag):
        raise ValueError(f"bad tag name {tag!r}")
    parts = [f"<{tag}"]
    for name, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        if not _NAME.fullmatch(name):
            raise ValueError(f"bad attribute name {name!r}")
        parts.append(f" {name}" if value is True else f' {name}="{html.escape(str(value), quote=True)}"')
    parts.append(">")
    if tag in VOID:
        return Raw("".join(parts))
    parts.append(render(children))
    parts.append(f"</{tag}>")
    return Raw("".join(parts))


def render(child) -> str:
    """A child of `el` as HTML text."""
    if child is None:
        return ""
    if isinstance(child, Raw):
        return child.text
    if isinstance(child, (list, tuple)):
        return "".join(render(c) for c in child)
    return html.escape(str(child), quote=True)


def json_data(attrs: dict, text: str) -> Raw:
    """A `<script type="application/json">` holding JSON `text` (never executed, so the
    Content-Security-Policy has nothing to allow). `<`, `>` and `&` can only occur inside
    JSON strings, where `\\u003c` etc. mean the same character, so nothing in the data can
    end the element; the document's parsed values, hence its digest, are unchanged."""
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    opening = el("script", {"type": "application/json", **attrs}).text[:-len("</script>")]
    return Raw(f"{opening}{safe}</script>")
