"""A JSON-aware mutator for the JSON targets: half of the time it edits the document's
structure (one value replaced by an awkward one, a key dropped or added, a list cut or
grown), the other half libFuzzer's byte mutations run. Byte flips alone rarely get past the
JSON syntax to the field checks."""

import copy
import json
import random

AWKWARD = [0, -1, 1, 7, 2**32, 2**33, 2**64, 10**60, True, False, None, 1.0, 64.0, 1e300, float("inf"),
           float("-inf"), float("nan"), "", "0", "00", "-0", "1.5", "١", "８", " 1", "1 ", "0x10", "AB" * 32,
           "ab" * 32, "ab" * 33, "02" + "ab" * 32, "x" * 300, "a\nb", "\u00e9", "\ud800", "..", "BTC.audit",
           "9" * 5000, [], {}, [[]], ["1", "1"], ["0", "1"], ["21", "20"], {"a": 1}]


def _awkward(rng: random.Random):
    return copy.deepcopy(rng.choice(AWKWARD))  # fresh: a shared [] edited later could contain itself


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


def _get(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def _set(doc, path, value):
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def _edit(doc, rng: random.Random):
    paths = list(_paths(doc))
    path = rng.choice(paths)
    node = _get(doc, path)
    choice = rng.randrange(7)
    if choice == 0 and isinstance(node, dict) and node:
        del node[rng.choice(list(node))]
    elif choice == 1 and isinstance(node, dict):
        node[rng.choice(["extra", "version", "leaf_bits", "capacity", "assets", "", "token", "chain_id", "height",
                               "hash", "chains", "exchange"])] = _awkward(rng)
    elif choice == 2 and isinstance(node, list) and node:
        if rng.random() < 0.5:
            del node[rng.randrange(len(node)):]
        else:
            node.append(node[rng.randrange(len(node))])
    elif choice == 3 and isinstance(node, (int, str)) and not isinstance(node, bool):
        doc = _set(doc, path, str(node) if isinstance(node, int) else _numeric(node, rng))
    elif choice == 4:
        nested = _awkward(rng)
        for _ in range(rng.choice([2, 17, 40])):
            nested = [nested]
        doc = _set(doc, path, nested)
    elif choice == 5 and path:  # another field's value: a TRON address as a bitcoin one, a chain's name…
        doc = _set(doc, path, copy.deepcopy(_get(doc, rng.choice(paths))))
    else:
        doc = _set(doc, path, _awkward(rng))
    return doc


def _numeric(text: str, rng: random.Random):
    if text.isdigit() and len(text) < 100:
        return int(text)
    return text.upper() if rng.random() < 0.5 else text + rng.choice(["0", " ", "\x00", "."])


def json_mutator(data: bytes, max_size: int, seed: int) -> bytes:
    """atheris custom mutator: a structural edit when `data` is JSON, else a byte mutation."""
    import atheris

    rng = random.Random(seed)
    if rng.random() < 0.5:
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            doc = None
        if doc is not None:
            for _ in range(rng.choice([1, 1, 2, 3])):
                doc = _edit(doc, rng)
            out = json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
            if len(out) <= max_size:
                return out
    return atheris.Mutate(data, max_size)
