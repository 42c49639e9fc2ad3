"""The `zksolv` command line (README.md "Commands"; exit codes in SPEC.md §8).

Exit codes: 0 valid · 1 invalid proof · 2 usage · 3 malformed input · 4 internal error.
Every ZksolvError is caught here, once, and printed as one line.
"""

import json
import os
import sys

import click

from zksolv import demo as demo_module
from zksolv.errors import EncodingError, InputError, InvalidProof, ZksolvError
from zksolv.group import backends, set_default_backend

EXIT_VALID, EXIT_INVALID, EXIT_USAGE, EXIT_MALFORMED, EXIT_INTERNAL = 0, 1, 2, 3, 4
_EXIT_FOR = {InvalidProof: EXIT_INVALID, InputError: EXIT_MALFORMED, EncodingError: EXIT_MALFORMED}


class Reporter:
    """Where a command's human and machine output goes: --json, --quiet, progress bars."""

    def __init__(self, as_json: bool, quiet: bool):
        self.as_json = as_json
        self.quiet = quiet or as_json

    def line(self, text: str) -> None:
        if not self.quiet:
            click.echo(text)

    def progress(self, iterable, label: str, length: int | None = None):
        """A click progress bar on a terminal; the bare iterable when quiet or piped."""
        if self.quiet or not sys.stderr.isatty():
            return _NullBar(iterable)
        return click.progressbar(iterable, length=length, label=label, file=sys.stderr)

    def result(self, data: dict) -> None:
        if self.as_json:
            click.echo(json.dumps(data, indent=2, sort_keys=True))


class _NullBar:
    def __init__(self, iterable):
        self._iterable = iterable

    def __enter__(self):
        return self._iterable

    def __exit__(self, *exc):
        return False


def _fail(exc: ZksolvError) -> int:
    code = next((c for cls, c in _EXIT_FOR.items() if isinstance(exc, cls)), EXIT_INVALID)
    click.echo(f"zksolv: error: {exc}", err=True)
    return code


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--backend", type=click.Choice(backends.PREFERENCE), default=None,
              help="Arithmetic backend (default: the fastest installed).")
@click.version_option(package_name="zksolv")
def cli(backend):
    """zksolv: zero-knowledge proofs of solvency over secp256k1."""
    if backend:
        set_default_backend(backend)


@cli.command()
@click.option("--users", type=click.IntRange(1, 1 << 20), default=64, show_default=True,
              help="Synthetic balances to commit to and prove.")
@click.option("--bits", type=click.Choice(["8", "16", "32", "64"]), default="64", show_default=True,
              help="Range proven for each balance: [0, 2^bits).")
@click.option("--chunk", type=click.IntRange(1, 256), default=16, show_default=True,
              help="Values per aggregated range proof (rounded up to a power of two).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of text.")
@click.option("--quiet", "-q", is_flag=True, help="No progress or text output.")
def demo(users, bits, chunk, as_json, quiet):
    """Commit to synthetic balances, prove them in range, verify, and catch a tampered proof."""
    report = Reporter(as_json, quiet)
    summary = demo_module.run(users, int(bits), chunk, report)
    report.result(summary)
    if not summary["tamper_rejected"]:
        raise InvalidProof("a tampered proof was accepted")


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
    """Console entry point: run the group, map ZksolvError to its exit code."""
    try:
        cli.main(args=argv, prog_name="zksolv", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("zksolv: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except ZksolvError as exc:
        sys.exit(_fail(exc))
    except Exception as exc:  # a bug, not bad input: say so in one line unless debugging
        if os.environ.get("ZKSOLV_DEBUG"):
            raise
        click.echo(f"zksolv: internal error: {type(exc).__name__}: {exc} "
                   "(set ZKSOLV_DEBUG=1 for a traceback)", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_VALID)


