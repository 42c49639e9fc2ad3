"""`zksolv publish ATTESTATION_DIR --out SITE_DIR [--history DIR …] [--audit]` (issue 13
items 1–4; README "Publishing a round"; SPEC.md §8 for paths, writes and exit codes).

Order: the output is checked before anything is read (it must be absent or an empty
directory, apart from every input); every round is verified (`zksolv verify`, or `audit`),
exit 1 if any does not; the rounds must be one chain ending at ATTESTATION_DIR (§6.7
`previous`); then the site is written into a temporary directory beside SITE_DIR and
renamed into place, whole. Only public files are copied: manifest.json, the audit files
the manifest names (their SHA-256 checked while copying) and exchange-signature.json."""

import hashlib
from importlib import resources
from pathlib import Path

from zksolv import history as history_module, outpaths
from zksolv.attestation import exchange, manifest as manifest_module
from zksolv.errors import InvalidProof
from zksolv.fsutil import atomic_dir, open_regular, read_bytes
from zksolv.site import facts, page

ASSETS = ("style.css", "zksolv-page.js")
COPY_PIECE = 1 << 20


def check_paths(attestation, out, history) -> None:
    """SPEC.md §8: SITE_DIR absent or empty, and apart from every input (exit 3)."""
    inputs = {"ATTESTATION_DIR": attestation, **{f"--history {h}": h for h in history}}
    outpaths.check([outpaths.Output(out, "--out", outpaths.DIRECTORY)], inputs)


def run(attestation, out, history=(), check="verify", workers=1, report=None) -> dict:
    """Publish; returns the --json result. InvalidProof (exit 1) if a round does not verify
    or the rounds are not one chain ending at `attestation`; InputError (exit 3) for paths."""
    check_paths(attestation, out, history)
    rounds, texts, signatures = _verified_rounds(attestation, history, check, workers, report)
    html = page.build(rounds, texts, check, _version(), signatures)
    with atomic_dir(Path(out)) as tmp:
        copied = _write(tmp, Path(attestation), rounds, texts, signatures, html)
    return {"result": "published", "directory": str(out), "attestation_id": rounds[-1].attestation_id,
            "manifest": rounds[-1].digest, "check": check, "rounds": [r.digest for r in rounds],
            "files": copied}


def _verified_rounds(attestation, history, check, workers, report):
    """Every round verified and read, oldest first; the published one last."""
    others = history_module.round_directories(list(history))   # a bad --history path: before any proof
    current = _verified(attestation, check, workers, report)
    found = {current[0].digest: current}
    for directory in others:
        item = _verified(directory, check, workers, report)
        found.setdefault(item[0].digest, item)   # the published round given again: once
    ordered = _chain(found, current[0].digest)
    return tuple([found[d][k] for d in ordered] for k in range(3))


def _verified(directory, check, workers, report):
    """(facts, manifest text, exchange signature text or None) of one round, once `zksolv
    verify` (or audit) accepts it."""
    from zksolv.attestation import verify as verify_module
    from zksolv import inclusion2, strictjson

    if check == "audit":
        result = verify_module.audit(directory, workers=workers, report=report)
    else:
        result = verify_module.verify(directory)
    data = read_bytes(Path(directory) / manifest_module.FILE, "manifest", manifest_module.MAX_BYTES)
    if inclusion2.manifest_from_bytes(data, "manifest").digest().hex() != result.manifest_digest:
        raise InvalidProof(f"{directory}: manifest.json changed while it was being verified: not published")
    doc = strictjson.loads(data)
    if report is not None:
        report.line(f"{directory}: round {result.attestation_id} verified ({check})")
    signature = None
    if result.custody is not None:   # a version-2 round: its signature was checked by verify
        signature = read_bytes(Path(directory) / exchange.FILE, "exchange signature", exchange.MAX_BYTES)
        exchange.parse(strictjson.loads(signature), str(directory))
        signature = signature.decode("utf-8")
    return facts.round_facts(directory, doc, result), data.decode("utf-8"), signature


def _chain(found: dict, newest: str) -> list[str]:
    """The digests oldest first (SPEC.md §8 history rules); the published round must be the newest."""
    rounds = [history_module.Round(f.directory, f, f.digest, f.exchange) for f, *_ in found.values()]
    ordered = [r.digest for r in history_module.chain(rounds)]
    if ordered[-1] != newest:
        raise InvalidProof(f"the rounds given with --history include rounds after {found[newest][0].attestation_id}"
                           " (the round to publish must be the newest)")
    return ordered


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zksolv")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "(source tree)"


def _write(tmp: Path, attestation: Path, rounds, texts: list[str], signatures: list, html: str) -> list[str]:
    """The site's files into `tmp`; the list of what was written (relative paths)."""
    written = []
    assets = tmp / "assets"
    assets.mkdir()
    source = resources.files("zksolv.web") / "site"
    for name in ASSETS:
        (assets / name).write_bytes((source / name).read_bytes())
    (assets / "THIRD-PARTY-LICENSES.txt").write_text(_licences(), encoding="utf-8")
    written += [f"assets/{n}" for n in (*ASSETS, "THIRD-PARTY-LICENSES.txt")]
    written += _copy_round(attestation, (texts[-1], signatures[-1]), tmp / "attestation", "attestation",
                           audit_files=True)
    for k, (r, text, signature) in enumerate(zip(rounds[:-1], texts, signatures), 1):
        where = f"rounds/{k:03d}-{r.digest[:16]}"
        written += _copy_round(Path(r.directory), (text, signature), tmp / where, where, audit_files=False)
    (tmp / "index.html").write_text(html, encoding="utf-8")
    return ["index.html", *written]


def _licences() -> str:
    vendor = resources.files("zksolv.web") / "vendor"
    parts = ["The page's script bundles @noble/curves and @noble/hashes (MIT licence):\n"]
    for name in ("noble-curves", "noble-hashes"):
        parts.append(f"\n== {name} ==\n{(vendor / name / 'LICENSE').read_text(encoding='utf-8')}")
    return "".join(parts)


def _copy_round(source: Path, texts: tuple, target: Path, shown: str, audit_files: bool) -> list[str]:
    """A round's public files: the manifest and exchange signature as verified (not read
    again) and, for the published round, the audit files its manifest names, each checked
    against the manifest's hash. (A version-1 round's signature file is not part of it.)"""
    from zksolv import strictjson

    target.mkdir(parents=True)
    text, signature = texts
    data = text.encode("utf-8")
    (target / manifest_module.FILE).write_bytes(data)
    names = [manifest_module.FILE]
    if signature is not None:
        (target / exchange.FILE).write_text(signature, encoding="utf-8")
        names.append(exchange.FILE)
    if audit_files:
        for name, sha256, size in _audit_files(strictjson.loads(data)):
            _copy_checked(source / name, target / name, sha256, size)
            names.append(name)
    return [f"{shown}/{n}" for n in names]


def _audit_files(doc: dict) -> list[tuple[str, str, int]]:
    """(file, sha256, bytes) of every audit file the manifest names: each asset's and,
    for a margin round, margin.audit."""
    entries = [e["audit"] for _, e in sorted(doc["assets"].items())]
    if "margin" in doc:
        entries.append(doc["margin"]["audit"])
    for e in entries:
        if Path(e["file"]).name != e["file"] or e["file"].startswith("."):
            raise InvalidProof(f"audit file name {e['file']!r} leaves the attestation")
    return [(e["file"], e["sha256"], e["bytes"]) for e in entries]


def _copy_checked(source: Path, target: Path, sha256: str, size: int) -> None:
    """Copy a regular file in pieces, never more than `size` bytes; its SHA-256 and size
    must be the manifest's (else InvalidProof: the site would publish other audit data)."""
    digest, total = hashlib.sha256(), 0
    with open_regular(source, "audit file") as f, open(target, "wb") as out:
        while piece := f.read(min(COPY_PIECE, size + 1 - total)):
            total += len(piece)
            if total > size:
                break
            digest.update(piece)
            out.write(piece)
    if total != size or digest.hexdigest() != sha256:
        raise InvalidProof(f"{source.name} does not match its hash in the manifest: not published")
