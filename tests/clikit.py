"""Running the command line in this process, as `zksolv` would run (`zksolv.cli.main`)."""

import io
import os
import signal
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from zksolv.cli import main

DOCUMENTED_EXITS = {0, 1, 2, 3}  # 4 is a bug (README "Exit codes")


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


class Hang(BaseException):
    """Raised by the alarm: the command did not finish in time (a BaseException, so that
    `main` cannot mistake it for a bug of its own)."""


def invoke(*args, cwd=None, seconds: int = 60) -> Outcome:
    """Run `zksolv ARGS` in this process; a command still running after `seconds` raises Hang."""
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()

    def alarm(signum, frame):
        raise Hang(f"zksolv {args[0] if args else ''} did not finish in {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main([str(a) for a in args])
                code = 0
            except SystemExit as exc:
                code = exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(before)
    return Outcome(code, out.getvalue(), err.getvalue())


def one_error_line(outcome: Outcome) -> bool:
    """stderr is exactly one line `zksolv: error: …` and nothing else."""
    lines = outcome.stderr.split("\n")
    return len(lines) == 2 and lines[1] == "" and lines[0].startswith("zksolv: error: ")


def leftovers(*directories) -> list[str]:
    """Temporary files of atomic writes (`.NAME.xxxx`) left in `directories`."""
    found = []
    for d in directories:
        if os.path.isdir(d):
            found += [os.path.join(d, n) for n in os.listdir(d) if n.startswith(".")]
    return found
