"""Coverage-guided fuzzing of zksolv's readers with atheris (libFuzzer for Python).

    python tests/fuzz/run.py manifest --runs 20000 --seconds 600   # one target
    python tests/fuzz/run.py --all --runs 10000 --seconds 20        # every target (CI)

`--all` runs the targets one after another within about `--budget` seconds in all (wall
clock, start-up included: a target fuzzes at most `--seconds` and at most its share of the
budget left, at least 3 s), so the CI step stays under about three minutes as targets are
added.

Each target runs in its own process from a fresh temporary corpus seeded by seeds.py,
with a fixed libFuzzer seed and PYTHONHASHSEED, so a run is repeatable; it stops at
`--runs` inputs or `--seconds`, whichever comes first. An input that raises anything but a
ZksolvError, takes over --timeout seconds or grows the process past --rss-mb is a finding:
libFuzzer writes it to --artifacts and the run fails. Keep every finding as a regression
case: copy it to tests/fuzz/findings/TARGET/ (test_fuzz_corpus.py replays those).
"""

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

NAMES = ["ledger", "reserves", "snapshot", "circuits", "manifest", "audit_file", "inclusion_proof",
         "range_proof", "state", "market", "reserves_v2", "snapshot_pinned", "exchange_signature", "exchange_key",
         "control_bitcoin", "control_chains"]
JSON_TARGETS = {"reserves", "circuits", "manifest", "inclusion_proof", "market", "reserves_v2", "exchange_signature"}


def _arguments(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("target", nargs="?", choices=NAMES)
    p.add_argument("--all", action="store_true", help="run every target, one process each")
    p.add_argument("--runs", type=int, default=10000, help="inputs per target (default 10000)")
    p.add_argument("--seconds", type=int, default=20, help="time cap per target (default 20)")
    p.add_argument("--budget", type=int, default=170,
                   help="--all: seconds for all targets together (default 170); a target gets at most "
                        "its share of what is left, so the whole step stays bounded as targets are added")
    p.add_argument("--seed", type=int, default=1, help="libFuzzer's random seed (default 1)")
    p.add_argument("--timeout", type=int, default=60, help="seconds one input may take (default 60)")
    p.add_argument("--rss-mb", type=int, default=2048, help="memory cap in MiB (default 2048)")
    p.add_argument("--artifacts", default=None, help="where findings go (default: a temporary folder)")
    p.add_argument("--work", default=None, help="folder for the corpus (default: a new temporary one)")
    args = p.parse_args(argv)
    if args.all == (args.target is not None):
        p.error("name one target or --all")
    return args


def fuzz_one(args) -> None:
    """Fuzz one target in this process (libFuzzer exits the process when done)."""
    import atheris

    with atheris.instrument_imports(include=["zksolv"]):
        import seeds
        import targets
    corpus = pathlib.Path(tempfile.mkdtemp(prefix=f"zksolv-corpus-{args.target}-", dir=args.work))
    for name, data in seeds.seeds(args.target).items():
        (corpus / name).write_bytes(data)
    artifacts = pathlib.Path(args.artifacts or tempfile.mkdtemp(prefix="zksolv-findings-"))
    artifacts.mkdir(parents=True, exist_ok=True)
    libfuzzer = [sys.argv[0], f"-runs={args.runs}", f"-max_total_time={args.seconds}", f"-seed={args.seed}",
                 f"-timeout={args.timeout}", f"-rss_limit_mb={args.rss_mb}", "-print_final_stats=1",
                 "-use_value_profile=1",
                 f"-artifact_prefix={artifacts}/{args.target}-", str(corpus)]
    if args.target in JSON_TARGETS:
        import mutators

        libfuzzer.insert(1, "-max_len=65536")
        atheris.Setup(libfuzzer, targets.TARGETS[args.target], custom_mutator=mutators.json_mutator)
    else:
        atheris.Setup(libfuzzer, targets.TARGETS[args.target])
    atheris.Fuzz()


def fuzz_all(args) -> int:
    """Every target in its own process; a summary line each; non-zero if any found something."""
    failed, start = [], time.monotonic()
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="zksolv-fuzz-all-") as work:
        for i, name in enumerate(NAMES):
            seconds = time_cap(args.seconds, args.budget - (time.monotonic() - start), len(NAMES) - i)
            if _fuzz_child(name, args, work, env, seconds):
                failed.append(name)
    if failed:
        print(f"fuzz: findings in {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


MIN_SECONDS = 3
"""Every target fuzzes at least this long, however late its turn."""


def time_cap(seconds: int, budget_left: float, targets_left: int) -> int:
    """The next target's time: at most `seconds` and its share of the budget left."""
    return max(MIN_SECONDS, min(seconds, int(budget_left) // targets_left))


def _fuzz_child(name: str, args, work: str, env, seconds: int) -> bool:
    """Fuzz `name` in a child process for at most `seconds`; print its summary; True if it
    found something."""
    artifacts = args.artifacts or tempfile.mkdtemp(prefix="zksolv-findings-")
    command = [sys.executable, __file__, name, f"--runs={args.runs}", f"--seconds={seconds}",
               f"--seed={args.seed}", f"--timeout={args.timeout}", f"--rss-mb={args.rss_mb}", f"--work={work}",
               f"--artifacts={artifacts}"]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    runs = re.search(r"stat::number_of_executed_units: (\d+)", result.stderr)
    print(f"fuzz {name}: {runs.group(1) if runs else '?'} inputs (cap {seconds} s), exit {result.returncode}",
          flush=True)
    if result.returncode:
        print(result.stderr[-4000:], file=sys.stderr)
        print(f"fuzz {name}: the finding is in {artifacts}", file=sys.stderr)
    elif not args.artifacts:
        os.rmdir(artifacts)
    return result.returncode != 0


def main(argv=None) -> int:
    args = _arguments(argv)
    if args.all:
        return fuzz_all(args)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    fuzz_one(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
