"""The `zksolv` command line (README.md "Commands"; exit codes in SPEC.md §8).

Exit codes: 0 valid · 1 invalid, insolvent or refused · 2 usage (the command line itself is
wrong: an unknown or missing option, a value of the wrong form) · 3 malformed input (a file
named on it is not what it must be, or an output path cannot be used) · 4 internal error.
Every error, click's usage errors included, is caught here, once, and printed as one line.
"""

import dataclasses
import json
import os
import re
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from zksolv import cliargs
from zksolv.cliargs import one_line, quoted
from zksolv.errors import EncodingError, InputError, Insolvent, InvalidProof, ZksolvError
from zksolv.group import backends, set_default_backend

# Command implementations are imported inside each command: a customer's
# `verify-inclusion` should not pay for the prover's imports.

EXIT_VALID, EXIT_INVALID, EXIT_USAGE, EXIT_MALFORMED, EXIT_INTERNAL = 0, 1, 2, 3, 4
_EXIT_FOR = {InvalidProof: EXIT_INVALID, Insolvent: EXIT_INVALID, InputError: EXIT_MALFORMED,
             EncodingError: EXIT_MALFORMED}


class Reporter:
    """Where a command's human and machine output goes: --json, --quiet, progress bars."""

    def __init__(self, as_json: bool, quiet: bool):
        self.as_json = as_json
        self.quiet = quiet or as_json

    def line(self, text: str) -> None:
        if not self.quiet:
            click.echo(one_line(text))

    def progress(self, iterable, label: str, length: int | None = None):
        """A click progress bar on a terminal; the bare iterable when quiet or piped."""
        if self.quiet or not sys.stderr.isatty():
            return nullcontext(iterable)
        return click.progressbar(iterable, length=length, label=label, file=sys.stderr)

    def result(self, data: dict) -> None:
        if self.as_json:
            click.echo(json.dumps(data, indent=2, sort_keys=True))


def _fail(exc: ZksolvError) -> int:
    code = next((c for cls, c in _EXIT_FOR.items() if isinstance(exc, cls)), EXIT_INVALID)
    _error(str(exc))
    return code


def _error(message: str) -> None:
    click.echo(f"zksolv: error: {one_line(message)}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--backend", type=click.Choice(backends.PREFERENCE), default=None,
              help="Arithmetic backend (default: the fastest installed).")
@click.version_option(package_name="zksolv")
def cli(backend):
    """zksolv: zero-knowledge proofs of solvency over secp256k1."""
    if backend:
        set_default_backend(backend)


def _common(f):
    """--json and --quiet, on every command."""
    f = click.option("--quiet", "-q", is_flag=True, help="No progress or text output.")(f)
    return click.option("--json", "as_json", is_flag=True, help="Print a JSON result on stdout.")(f)


_IN_FILE = cliargs.FilePath("file")
_IN_DIR = cliargs.FilePath("directory")
_PUBLISHED = cliargs.FilePath("directory|URL")
"""An attestation to check: a local directory or an fsspec URL (SPEC.md §6.10)."""
_WORKERS = cliargs.Count(1, 256)
_DEFAULT_WORKERS = min(os.cpu_count() or 1, 256)


def _prices_options(f):
    """--prices and --price-tolerance of verify and audit (a margin round's market data)."""
    f = click.option("--price-tolerance", default=None,
                     help="With --prices: how far each published price may be from yours, e.g. 1%.")(f)
    return click.option("--prices", type=_IN_FILE, default=None,
                        help="Your own market data JSON: the attestation's must match it.")(f)


@cli.command()
@click.option("--ledger", required=True, type=_IN_FILE, help="CSV user_id,asset,amount.")
@click.option("--reserves", "reserves_path", required=True, type=_IN_FILE, help="Reserves JSON.")
@click.option("--out", required=True, type=_IN_DIR,
              help="Directory for the public attestation, or an fsspec URL (s3://…; manifest.json uploaded last).")
@click.option("--state", "state_path", required=True, type=_IN_FILE, help="Private state file (SQLite, 0600).")
@click.option("--capacity", type=cliargs.Capacity(), default=None, help="Leaves per asset tree (power of two).")
@click.option("--coverage", type=cliargs.Percentage(), default=None,
              help="Also prove reserves ≥ this % of liabilities, e.g. 105.")
@click.option("--chunk", type=click.Choice(["1", "2", "4", "8", "16", "32", "64", "128", "256"]), default="64",
              show_default=True, help="Leaves per aggregated range proof (a work unit).")
@click.option("--workers", type=_WORKERS, default=_DEFAULT_WORKERS, show_default=True,
              help="Local worker processes.")
@click.option("--scheduler", type=cliargs.Address(), default=None,
              help="Prove on a Dask cluster: tcp://HOST:PORT of its scheduler.")
@click.option("--shards", type=cliargs.Location(), default=None,
              help="With --scheduler: where the workers keep the round's private shards, a directory or an "
                   "fsspec URL they all reach, e.g. s3://bucket/round (default: <state>.d; SPEC.md §6.9.1).")
@click.option("--previous", type=cliargs.Digest(), default=None,
              help="The previous round's manifest digest (64 hex digits).")
@click.option("--round-secret-file", type=_IN_FILE, default=None,
              help="Reproduce a round: 64 hex digits of its master secret (default: a fresh one).")
@click.option("--timestamp", type=cliargs.Timestamp(), default=None,
              help="Round timestamp YYYY-MM-DDTHH:MM:SSZ, UTC (default: now).")
@click.option("--force", is_flag=True, help="Replace an existing attestation directory and state file.")
@click.option("--prices", type=_IN_FILE, default=None,
              help="Market data JSON: a margin round (debts, haircuts, scenarios; SPEC.md §6.12).")
@click.option("--firm-coverage", default="100", show_default=True,
              help="Margin round: prove firm-wide reserves ≥ this % of net liabilities at every scenario.")
@click.option("--margin-capacity", type=int, default=None,
              help="Margin round: account leaves, a power of two or a multiple of 1024 (default: the next "
                   "power of two ≥ margin accounts up to 1024, above that the next multiple of 1024).")
@click.option("--refusals", type=_IN_FILE, default=None,
              help="Margin round: private CSV of refused accounts, written 0600 (default: <state>.refused.csv).")
@click.option("--sign-with", type=_IN_FILE, default=None,
              help="Sign the manifest with the exchange's key: a 0600 file of 0x + 64 hex digits (SPEC.md §6.17).")
@_common
def prove(ledger, reserves_path, out, state_path, capacity, coverage, chunk, workers, scheduler, shards, previous,
          round_secret_file, timestamp, force, prices, firm_coverage, margin_capacity, refusals, sign_with,
          as_json, quiet):
    """Prove solvency for a ledger against reserves; write the attestation and the state.

    Interrupted? Run the same command again: it resumes from the chunks already proved."""
    from zksolv.attestation import prove as prove_module

    report = Reporter(as_json, quiet)
    options = prove_module.Options(capacity=capacity, coverage_percent=coverage, chunk=int(chunk), workers=workers,
                                   scheduler=scheduler, shards=shards, previous=previous, force=force,
                                   round_secret=_read_secret(round_secret_file), timestamp=timestamp, prices=prices,
                                   firm_coverage=firm_coverage, margin_capacity=margin_capacity, refusals=refusals,
                                   sign_key=_sign_key(sign_with))
    m, resumed = prove_module.run(ledger, reserves_path, out, state_path, options, report, with_resume_count=True,
                                  keep={"--round-secret-file": round_secret_file, "--sign-with": sign_with})
    result = {"result": "proved", "attestation_id": m.attestation_id, "manifest": m.digest().hex(),
              "chunks_already_proved": resumed,
              "directory": str(out), "state": str(state_path),
              "assets": {a: {"capacity": e.capacity, "coverage_percent": e.coverage_percent}
                         for a, e in m.assets.items()}}
    if getattr(m, "version", 1) == 2:
        result["margin"] = {"capacity": m.margin.capacity, "scenarios": [n for n, _ in m.firm],
                            "firm_coverage_ratio": [str(x) for x in m.firm_ratio]}
    if sign_with is not None:
        result["signed_by"] = m.reserves.exchange
        report.line(f"manifest signed by the exchange {m.reserves.exchange} (exchange-signature.json)")
    report.line(f"attestation {m.attestation_id} written to {out} (manifest {result['manifest'][:16]}…)")
    report.line(f"prover state written to {state_path} (mode 0600: it holds the round secret)")
    report.result(result)


MAX_SECRET_FILE_BYTES = 256


def _sign_key(path):
    """The exchange's key of `--sign-with`, or None."""
    if path is None:
        return None
    from zksolv.attestation import exchange

    return exchange.read_key(path, "--sign-with")


def _read_secret(path) -> bytes | None:
    """The 32-byte round secret from a regular file of 64 hex digits (whitespace around)."""
    if path is None:
        return None
    from zksolv.fsutil import read_text

    try:
        text = read_text(path, "round secret file", MAX_SECRET_FILE_BYTES)  # regular files only
    except InputError as exc:
        raise InputError(f"--round-secret-file {exc}") from None
    text = text.strip(" \t\r\n")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise InputError(f"--round-secret-file {path}: not 64 hex digits of a round secret")
    return bytes.fromhex(text)


def _report_check(kind: str, r, report: Reporter) -> None:
    for asset, a in r.assets.items():
        cov = f", coverage ≥ {a['coverage_percent']} %" if a["coverage_percent"] else ""
        report.line(f"{asset}: solvent{cov} (capacity {a['capacity']}); held as {', '.join(a['backed_by'])}")
    margin = getattr(r, "margin", None)
    if margin:
        report.line(f"margin accounts: every one collateralized at {', '.join(margin['scenarios'])} "
                    f"(capacity {margin['capacity']}); firm-wide coverage ≥ {margin['firm_coverage_percent']} % "
                    f"at every scenario; prices {margin['prices']}")
    if r.custody:
        report.line(f"exchange {r.custody['exchange']}: its signature over the manifest is valid")
        for chain, block in r.custody["chains"].items():
            report.line(f"{chain}: balances at block {block['height']} ({block['hash']})")
    report.line(f"reserves: {r.wallets_checked} proofs of control valid; balances {r.balances}")
    if kind == "audit":
        report.line(f"audit: {r.leaves_checked} leaves, every node and {r.range_proofs_checked} range proofs valid")
    report.line(f"{kind}: attestation {r.attestation_id} is VALID")
    report.result({"result": "valid", "check": kind, **dataclasses.asdict(r)})


def _signer_option(f):
    """--signer of verify, audit and verify-inclusion: the exchange the attestation must be signed by."""
    return click.option("--signer", type=cliargs.EvmAddress(), default=None,
                        help="The exchange's published address: the attestation must be signed by it.")(f)


@cli.command()
@click.argument("directory", type=_PUBLISHED)
@click.option("--snapshot", type=_IN_FILE, default=None, help="CSV chain,address,balance to check reserves.")
@click.option("--circuits", type=_IN_FILE, default=None, help="Circuits file (default: the shipped one).")
@_prices_options
@_signer_option
@_common
def verify(directory, snapshot, circuits, prices, price_tolerance, signer, as_json, quiet):
    """Quick check: manifest, exchange and reserves signatures, solvency and coverage proofs."""
    from zksolv.attestation import verify as verify_module

    _report_check("verify", verify_module.verify(directory, snapshot, circuits, prices, price_tolerance, signer),
                  Reporter(as_json, quiet))


@cli.command()
@click.argument("directory", type=_PUBLISHED)
@click.option("--snapshot", type=_IN_FILE, default=None, help="CSV chain,address,balance to check reserves.")
@click.option("--circuits", type=_IN_FILE, default=None, help="Circuits file (default: the shipped one).")
@click.option("--workers", type=_WORKERS, default=_DEFAULT_WORKERS, show_default=True,
              help="Local processes verifying range proofs.")
@click.option("--scheduler", type=cliargs.Address(), default=None,
              help="Audit on a Dask cluster: tcp://HOST:PORT. Its workers read the audit files in place if they "
                   "reach them (the same path, or a URL), else this process streams them.")
@_prices_options
@_signer_option
@_common
def audit(directory, snapshot, circuits, workers, scheduler, prices, price_tolerance, signer, as_json, quiet):
    """Full check: every leaf, node and range proof, then everything verify checks."""
    from zksolv.attestation import verify as verify_module

    reporter = Reporter(as_json, quiet)
    result = verify_module.audit(directory, snapshot, circuits, workers=workers, scheduler=scheduler,
                                 report=reporter, prices_path=prices, price_tolerance=price_tolerance, signer=signer)
    _report_check("audit", result, reporter)


@cli.command("inclusion")
@click.option("--state", "state_path", required=True, type=_IN_FILE, help="The prover's state file.")
@click.option("--user", required=True, type=cliargs.UserId(), help="The customer's user id.")
@click.option("--attestation", type=_IN_DIR, default=None,
              help="Check the proof is for this published attestation directory.")
@click.option("--out", type=_IN_FILE, default=None, help="Write the proof here (default: stdout).")
@_common
def inclusion_cmd(state_path, user, attestation, out, as_json, quiet):
    """A customer's inclusion proof for every asset they hold, as JSON."""
    from zksolv import inclusion2, outpaths, state as state_module
    from zksolv.fsutil import atomic_file

    if out is not None:  # before any work: never over an existing file, never in a published place
        outpaths.check([outpaths.Output(out, "--out", outpaths.FILE, not_beside="manifest.json")],
                       {"--state": state_path, "--attestation": attestation})
    st = state_module.State(state_path)
    try:
        m = _manifest_for(st, attestation)
        doc = inclusion2.build_any(st, m, user)
    finally:
        st.close()
    text = json.dumps(doc, indent=1) + "\n"
    if out:
        with atomic_file(Path(out), mode=0o600, replace=False) as tmp:
            tmp.write_text(text)
        Reporter(as_json, quiet).line(f"inclusion proof for {user} written to {out}")
        Reporter(as_json, quiet).result({"result": "written", "file": out, "assets": sorted(doc["assets"])})
    else:
        click.echo(text, nl=False)


def _manifest_for(st, attestation):
    """The round's manifest from the state; if a directory is named, it must be that one."""
    from zksolv import inclusion2
    from zksolv.attestation import manifest as manifest_module

    m = inclusion2.manifest_from_bytes(st.meta["manifest_json"], "state file")
    if attestation is not None:
        published = inclusion2.read_manifest(Path(attestation) / manifest_module.FILE)
        if published.digest() != m.digest():
            raise InputError(f"{attestation} is not the attestation of this state file's round")
    return m


def _balance_pairs(values) -> dict[str, str]:
    pairs = {}
    for asset, amount in values:
        if asset in pairs:
            raise click.BadParameter(f"{quoted(asset)} is given twice", param_hint="--balance")
        pairs[asset] = amount
    return pairs


@cli.command("verify-inclusion")
@click.argument("proof_files", metavar="PROOF_FILE...", nargs=-1, required=True, type=_IN_FILE)
@click.option("--attestation", type=_IN_DIR, default=None, help="The published attestation directory.")
@click.option("--history", "history", type=_IN_DIR, multiple=True,
              help="Several rounds (instead of --attestation): an attestation directory or a directory of "
                   "them (repeatable, any order); give your proof of each round as PROOF_FILE… (any order).")
@click.option("--user", type=cliargs.UserId(), default=None, help="Your user id, to check the proof is yours.")
@click.option("--balance", "balances", type=cliargs.Balance(), multiple=True,
              help="ASSET=AMOUNT you expect, a debt negative (repeatable; one round only); "
                   "once any is given, a debt not given fails.")
@_signer_option
@_common
def verify_inclusion(proof_files, attestation, history, user, balances, signer, as_json, quiet):
    """A customer's check that their balances are counted in the published attestation, or
    (--history) in every round of a chain of attestations."""
    _PROCESS["quick_exit"] = True  # reads files, writes stdout and stderr only
    report = Reporter(as_json, quiet)
    if history:
        if attestation is not None or balances:
            raise click.UsageError("--history checks several rounds: give no --attestation and no --balance")
        _verify_history(proof_files, history, user, signer, report)
        return
    if attestation is None:
        raise click.UsageError("missing option '--attestation' (or --history for several rounds)")
    if len(proof_files) != 1:
        raise click.UsageError("give one proof file with --attestation (several rounds: --history)")
    _verify_one(proof_files[0], attestation, user, _balance_pairs(balances), signer, report)


def _verify_one(proof_file, attestation, user, expected, signer, report: Reporter) -> None:
    from zksolv import inclusion as inclusion_module, inclusion2
    from zksolv.attestation import exchange, manifest as manifest_module

    m = inclusion2.read_manifest(Path(attestation) / manifest_module.FILE)
    signed_by = exchange.require(attestation, m.reserves, m.digest(), signer)  # beside the manifest
    checked = inclusion2.verify_any(proof_file, m, user, expected)
    proven = checked.margin["balances"] if checked.margin else checked.balances
    missing = inclusion_module.not_covered(m, proven)
    _report_round(m, checked, proven, missing, signed_by, report)
    report.line("inclusion: VALID (run `zksolv verify` on the attestation to check solvency)")
    report.result({"result": "valid", "attestation_id": m.attestation_id, "user_id": checked.user_id,
                   "balances": proven, "not_covered": missing, "margin": checked.margin, "signed_by": signed_by})


def _report_round(m, checked, proven, missing, signed_by, report: Reporter) -> None:
    """The lines of one round's check: balances counted, margin, assets not covered, signer."""
    owner = quoted(checked.user_id)
    for asset, amount in proven.items():
        kind = "a debt of " + amount.lstrip("-") if amount.startswith("-") else amount
        report.line(f"{asset}: {kind} of user {owner} is counted in attestation {m.attestation_id}")
    if checked.margin:
        report.line(f"margin account: proven collateralized at {', '.join(checked.margin['collateralized'])} "
                    f"(by {checked.margin['proven_by']})")
    if missing:
        report.line(f"not covered by this proof: {', '.join(missing)} (no balance of yours is shown there)")
    if signed_by:
        report.line(f"attestation signed by the exchange {signed_by}")


def _verify_history(proof_files, history, user, signer, report: Reporter) -> None:
    """SPEC.md §8 `--history`: the rounds chained by `previous`, each proof checked in its round."""
    from zksolv import history as history_module

    rounds = history_module.chain(history_module.load_rounds(history_module.round_directories(history), signer))
    checks = history_module.verify_rounds(history_module.pair_proofs(list(proof_files), rounds), user)
    rows = []
    for k, (r, checked, proven, missing) in enumerate(checks, 1):
        report.line(f"round {k}/{len(checks)}: {r.manifest.attestation_id} at {r.manifest.timestamp}, manifest "
                    f"{r.digest[:16]}…, previous {(r.manifest.previous or 'none')[:16]}")
        _report_round(r.manifest, checked, proven, missing, r.signed_by, report)
        rows.append({"directory": r.directory, "attestation_id": r.manifest.attestation_id,
                     "timestamp": r.manifest.timestamp, "manifest": r.digest, "previous": r.manifest.previous,
                     "balances": proven, "not_covered": missing, "margin": checked.margin, "signed_by": r.signed_by})
    owner = checks[0][1].user_id
    report.line(f"history: {len(checks)} round{'s' if len(checks) != 1 else ''}, each naming the one before it as "
                "previous (oldest first)")
    report.line("inclusion: VALID in every round (run `zksolv verify` on each attestation to check solvency)")
    report.result({"result": "valid", "user_id": owner, "rounds": rows})


@cli.command()
@click.argument("directory", type=_IN_DIR)
@click.option("--key", "key_path", type=_IN_FILE, default=None,
              help="The exchange's key file (0600, 0x + 64 hex digits): sign the manifest with it.")
@click.option("--signature", type=cliargs.Signature65(), default=None,
              help="Attach an EIP-191 signature made elsewhere (checked before it is written).")
@click.option("--force", is_flag=True, help="Replace an existing exchange-signature.json.")
@_common
def sign(directory, key_path, signature, force, as_json, quiet):
    """Sign an attestation as its exchange: write DIRECTORY/exchange-signature.json (SPEC.md §6.17)."""
    from zksolv.attestation import exchange

    if (key_path is None) == (signature is None):
        raise click.UsageError("give exactly one of --key and --signature")
    sig = exchange.sign_attestation(directory, key_path, signature, force)
    report = Reporter(as_json, quiet)
    report.line(f"{directory}/{exchange.FILE}: signed by the exchange {sig.to_json()['signer']} "
                f"({sig.message})")
    report.result({"result": "signed", "file": str(Path(directory) / exchange.FILE), **sig.to_json()})


@cli.command()
@click.option("--out", required=True, type=_IN_FILE, help="The new key file (written 0600, never over a file).")
@_common
def keygen(out, as_json, quiet):
    """Make the exchange's signing key (OS CSPRNG); print its address, never the key."""
    from zksolv import outpaths
    from zksolv.attestation import exchange, manifest as manifest_module

    outpaths.check([outpaths.Output(out, "--out", outpaths.FILE, not_beside=manifest_module.FILE)])
    address = exchange.new_key_file(out)
    report = Reporter(as_json, quiet)
    report.line(f"key written to {out} (mode 0600); its address, to publish: {address}")
    report.result({"result": "written", "file": str(out), "address": address})


@cli.command()
@click.argument("attestation", metavar="ATTESTATION_DIR", type=_IN_DIR)
@click.option("--out", required=True, type=_IN_DIR, help="The site's directory (absent or empty).")
@click.option("--history", multiple=True, type=_IN_DIR,
              help="Earlier rounds for the page's history: an attestation directory or a directory of them "
                   "(repeatable).")
@click.option("--audit", "full", is_flag=True, help="Run `audit` (every leaf and range proof), not `verify`, first.")
@_common
def publish(attestation, out, history, full, as_json, quiet):
    """Write a static site for a verified attestation: its statements, reserves, history and
    an in-browser check of a customer's inclusion proof (README "Publishing a round")."""
    from zksolv.site import publish as publish_module

    report = Reporter(as_json, quiet)
    result = publish_module.run(attestation, out, history, "audit" if full else "verify", _DEFAULT_WORKERS, report)
    report.line(f"site for {result['attestation_id']} written to {out} ({len(result['rounds'])} round"
                f"{'s' if len(result['rounds']) != 1 else ''}); open {Path(out) / 'index.html'}")
    report.result(result)


@cli.command()
@click.option("--users", type=cliargs.Count(1, 1 << 20), default=100, show_default=True,
              help="Synthetic customers.")
@click.option("--dir", "directory", type=_IN_DIR, default=None,
              help="Where to put the round's files (default: a new temporary directory).")
@click.option("--workers", type=_WORKERS, default=_DEFAULT_WORKERS, show_default=True)
@_common
def demo(users, directory, workers, as_json, quiet):
    """A whole round on synthetic data: prove, verify, audit, a customer's inclusion."""
    import tempfile

    from zksolv import demo as demo_module

    report = Reporter(as_json, quiet)
    path = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="zksolv-demo-"))
    summary = demo_module.run(users, path, workers, report)
    report.result(summary)
    if not summary["tampered_attestation_rejected"]:
        raise InvalidProof("a tampered attestation passed the audit")


@cli.command("backends")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_backends(as_json):
    """List the arithmetic backends installed here, fastest first."""
    names = backends.available()
    if as_json:
        click.echo(json.dumps({"available": names, "default": names[0]}))
    else:
        for i, name in enumerate(names):
            click.echo(f"{name}{'  (default)' if i == 0 else ''}")


def main(argv=None) -> None:
    """Console entry point: run the group; every error is one line and its exit code."""
    code = _run(argv)
    if argv is None and _PROCESS["quick_exit"]:  # the console script: the process is ours
        _leave(code)
    sys.exit(code)


_PROCESS = {"quick_exit": False}
"""Set by a command that writes nothing but stdout and stderr and starts nothing (no child,
no thread, no temporary file): its process may end without the interpreter's teardown."""


def _leave(code: int) -> None:
    """End the process now, once stdout and stderr are flushed: tearing down every module
    costs ≈ 20 ms of a customer's whole `verify-inclusion` (issue 13 item 6). If a flush
    fails (a closed pipe), return: the ordinary exit reports it as before."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def _run(argv) -> int:
    """The command's exit code; every error caught here, once, and printed as one line."""
    try:
        code = cli.main(args=argv, prog_name="zksolv", standalone_mode=False)
    except click.exceptions.Abort:
        _error("aborted")
        return 130
    except click.ClickException as exc:
        return _click_error(exc)
    except ZksolvError as exc:
        return _fail(exc)
    except Exception as exc:  # a bug, not bad input: say so in one line unless debugging
        if os.environ.get("ZKSOLV_DEBUG"):
            raise
        click.echo(one_line(f"zksolv: internal error: {type(exc).__name__}: {exc} "
                            "(set ZKSOLV_DEBUG=1 for a traceback)"), err=True)
        return EXIT_INTERNAL
    return code if isinstance(code, int) else EXIT_VALID  # --help and --version return 0


def _click_error(exc: click.ClickException) -> int:
    """click's own errors as one line: usage errors exit 2, the rest (none expected) 3."""
    if not isinstance(exc, click.UsageError):
        _error(exc.format_message())
        return EXIT_MALFORMED
    ctx = exc.ctx
    if type(exc).__name__ == "NoArgsIsHelpError":  # click >= 8.2: a bare group
        message = "missing a command"
    else:
        message = exc.format_message()
    where = ctx.command_path if ctx is not None else "zksolv"
    _error(f"{message} (see `{where} --help`)")
    return EXIT_USAGE
