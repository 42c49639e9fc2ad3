"""A customer's history across rounds (SPEC.md §6.7 `previous`, §6.11, §8 `verify-inclusion
--history`; issue 13 item 5).

The customer gives the published rounds (attestation directories, in any order, or a
directory holding them) and their inclusion proof of each round (in any order). Each proof
names its round by manifest digest, so proofs are paired with rounds by that digest, never
by position. The rounds must form one chain: each names the one before it in `previous`,
none is missing between the oldest and the newest given, and timestamps increase along it.
Every round's exchange signature is checked as for one round, `--signer` pinning each.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from zksolv import strictjson
from zksolv.errors import InputError, InvalidProof
from zksolv.fsutil import read_json

MANIFEST = "manifest.json"
MAX_ROUNDS = 1000
"""Most rounds one check reads (and most entries scanned in a directory of rounds)."""


@dataclass(frozen=True)
class Round:
    """One published round: where it was read, its manifest and digest, who signed it."""

    directory: str
    manifest: object
    digest: str
    signed_by: str | None


def round_directories(paths: list[str]) -> list[str]:
    """Each `--history` path as attestation directories: the path itself if it holds a
    manifest, else its subdirectories that do (sorted by name; order is not trusted)."""
    found = []
    for path in paths:
        found.extend([path] if os.path.lexists(Path(path) / MANIFEST) else _rounds_in(path))
    if len(found) > MAX_ROUNDS:
        raise InputError(f"--history: more than {MAX_ROUNDS} rounds")
    return found


def _rounds_in(path: str) -> list[str]:
    """The subdirectories of `path` holding a manifest.json; InputError if there is none."""
    try:
        with os.scandir(path) as entries:
            names = []
            for k, entry in enumerate(entries):
                if k >= MAX_ROUNDS:
                    raise InputError(f"--history {_shown(path)}: more than {MAX_ROUNDS} entries")
                if entry.is_dir(follow_symlinks=False) and os.path.lexists(Path(entry.path) / MANIFEST):
                    names.append(entry.name)
    except OSError as exc:
        raise InputError(f"--history {_shown(path)}: not a readable directory ({exc.strerror})") from None
    if not names:
        raise InputError(f"--history {_shown(path)}: neither an attestation (no {MANIFEST}) nor a directory of them")
    return [str(Path(path) / name) for name in sorted(names)]


def load_rounds(directories: list[str], signer: str | None) -> list[Round]:
    """Every round's manifest (either version) and exchange signature (SPEC.md §6.17)."""
    from zksolv import inclusion2
    from zksolv.attestation import exchange

    rounds = []
    for directory in directories:
        m = inclusion2.read_manifest(Path(directory) / MANIFEST)
        signed_by = exchange.require(directory, m.reserves, m.digest(), signer)
        rounds.append(Round(directory, m, m.digest().hex(), signed_by))
    return rounds


def chain(rounds: list[Round]) -> list[Round]:
    """The rounds oldest first, each the `previous` of the next; InvalidProof naming the
    break if they are not one chain (a round missing, a link to another round, a fork, a
    round given twice) or if a round is not later than the one before it."""
    by_digest = {}
    for r in rounds:
        if r.digest in by_digest:
            raise InvalidProof(f"round {_name(r)} is given twice ({_shown(by_digest[r.digest].directory)} "
                               f"and {_shown(r.directory)})")
        by_digest[r.digest] = r
    following = {}
    for r in rounds:
        if r.manifest.previous in following:
            raise InvalidProof(f"rounds {_name(following[r.manifest.previous])} and {_name(r)} both name "
                               f"{_digest(r.manifest.previous)} as their previous round: not one history")
        following[r.manifest.previous] = r
    starts = [r for r in rounds if r.manifest.previous not in by_digest]
    if len(starts) != 1:
        raise InvalidProof(_break_message(starts))
    ordered = [starts[0]]
    while ordered[-1].digest in following:
        ordered.append(following[ordered[-1].digest])
    if len(ordered) != len(rounds):
        raise InvalidProof(_break_message([]))
    _check_times(ordered)
    return ordered


def _break_message(starts: list[Round]) -> str:
    if not starts:
        return "the rounds given link to one another in a circle: no oldest round"
    later = max(starts, key=lambda r: r.manifest.timestamp)
    return (f"the rounds do not form one chain: round {_name(later)} names as its previous round "
            f"{_digest(later.manifest.previous)}, which is not among those given (a round missing "
            "or a broken link)")


def _check_times(ordered: list[Round]) -> None:
    """Each round's timestamp is later than the one it follows (ISO 8601 UTC, so the text
    order is the time order)."""
    for before, after in zip(ordered, ordered[1:]):
        if after.manifest.timestamp <= before.manifest.timestamp:
            raise InvalidProof(f"round {_name(after)} ({after.manifest.timestamp}) follows round {_name(before)} "
                               f"({before.manifest.timestamp}) but is not later: rounds out of order")


def pair_proofs(proof_paths: list[str], ordered: list[Round]) -> list[tuple[Round, str, dict]]:
    """(round, proof path, proof document) for every round, matched by the manifest digest
    each proof names; InvalidProof if a round has no proof, two proofs name one round, or a
    proof names none of the rounds."""
    from zksolv import inclusion

    digests = {r.digest for r in ordered}
    proofs: dict[str, tuple[str, dict]] = {}
    for path in proof_paths:
        doc = read_json(path, "inclusion proof", limit=inclusion.MAX_BYTES)
        named = doc.get("manifest") if isinstance(doc, dict) else None
        if not isinstance(named, str) or named not in digests:
            raise InvalidProof(f"{_shown(path)}: this inclusion proof is for none of the rounds given")
        if named in proofs:
            raise InvalidProof(f"{_shown(proofs[named][0])} and {_shown(path)} are proofs of the same round")
        proofs[named] = (path, doc)
    missing = [_name(r) for r in ordered if r.digest not in proofs]
    if missing:
        raise InvalidProof(f"no inclusion proof given for round {', '.join(missing)}")
    return [(r, *proofs[r.digest]) for r in ordered]


def _digest(previous: str | None) -> str:
    return "none" if previous is None else previous[:16] + "…"


def _name(r: Round) -> str:
    return f"{strictjson.one_line(r.manifest.attestation_id, 60)} ({_shown(r.directory)})"


def _shown(path) -> str:
    return strictjson.one_line(str(path), 200)


def verify_rounds(pairs: list[tuple[Round, str, dict]], user: str | None) -> list[tuple]:
    """Each round's proof checked against its manifest (SPEC.md §6.11, §6.16), all for one
    user: `user` if given, else the user the oldest proof names. Returns, per round, (round,
    checked, balances proven, assets not covered)."""
    from zksolv import inclusion, inclusion2

    checks = []
    for r, path, doc in pairs:
        checked = inclusion2.verify_doc(doc, _shown(path), r.manifest, user, {})
        user = checked.user_id  # every later round's proof must be this customer's
        proven = checked.margin["balances"] if checked.margin else checked.balances
        checks.append((r, checked, proven, inclusion.not_covered(r.manifest, proven)))
    return checks
