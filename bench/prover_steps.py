"""Where a range proof's CPU time goes, step by step: the prover's vectors as Python integers
(`scalars.IntVectors`, the code before issue 14 item 6, kept as the reference) and in the
kernel (`kernel_vectors.KernelVectors`), side by side in one process (SPEC.md §5.3).

    python bench/prover_steps.py                       # n = 64, m = 64, 9 reps
    python bench/prover_steps.py --m 16 --reps 5 --json bench/results-prover-steps.json

Each rep proves one statement twice, the two ways in alternating order, with a solvency
round's nonce stream (roundkeys.NonceStream) under the same key, and checks the proof bytes are
equal. Every step's CPU time (time.process_time) is taken exclusive of the steps it calls:
"/ MSM" and "/ generator folds" rows are the kernel's group operations inside a step; the rest
of a step is its scalar work, packing and Python. "rest" is the total minus the steps (transcript,
challenges, blindings, glue). Figures are medians over the reps, in milliseconds.
"""

import argparse
import collections
import json
import pathlib
import platform
import secrets
import statistics
import time

from zksolv.commitments import generators
from zksolv.rangeproof import kernel_vectors, prover, scalars
from zksolv.rangeproof.scalars import IntVectors, random_scalar
from zksolv.roundkeys import NonceStream
from zksolv.transcript import Transcript

STEPS = [  # (object, attribute, label); "vectors" means the vectors object's own method
    ("vectors", "commit_values", "V_j commitments"),
    ("vectors", "draw", "nonces s_L, s_R"),
    ("vectors", "commit_bits", "A"),
    ("vectors", "commit_s", "S"),
    ("vectors", "polynomials", "l(X), r(X), t1, t2"),
    (prover, "msm_secret", "T1, T2"),
    ("vectors", "evaluate", "l, r, t_x"),
    ("vectors", "ipa_start", "IPA: start"),
    ("vectors", "ipa_commit", "IPA: L, R"),
    ("vectors", "ipa_fold", "IPA: folds"),
]
KERNEL_CALLS = [  # the group operations inside the steps: (object, attribute, sub-label)
    (scalars, "commit", "MSM"), (scalars, "msm", "MSM"), (scalars, "msm_secret", "MSM"),
    (scalars, "fold", "generator folds"), ("vectors", "_tabled_msm", "MSM"),
    ("vectors", "_public_msm", "MSM"), ("vectors", "_kept_msm", "MSM"),
    ("vectors", "_fold", "generator folds"),
    ("vectors", "_fold_terms", "generator folds"),
    ("vectors", "_fold_terms_pair", "generator folds"),
]


class StepClock:
    """Exclusive CPU time per label: a call's time minus that of the timed calls inside it."""

    def __init__(self):
        self.totals = collections.Counter()
        self._stack = []

    def wrap(self, fn, label, nested=False):
        def timed(*args, **kwargs):
            name = f"{self._stack[-1][0]} / {label}" if nested else label
            self._stack.append([name, 0.0])
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                _, inner = self._stack.pop()
                self.totals[name] += spent - inner
                if self._stack:
                    self._stack[-1][1] += spent
        return timed


def _patched(monkey, clock, vectors):
    for steps, nested in ((STEPS, False), (KERNEL_CALLS, True)):
        for owner, name, label in steps:
            target = vectors if owner == "vectors" else owner
            if hasattr(target, name):
                monkey.append((target, name, target.__dict__.get(name)))
                setattr(target, name, clock.wrap(getattr(target, name), label, nested))
    monkey.append((prover, "vectors_for", prover.vectors_for))
    prover.vectors_for = lambda backend: vectors


def _undo(monkey):
    for target, name, original in reversed(monkey):
        if original is None:   # a method wrapped on an instance: uncover the class's
            delattr(target, name)
        else:
            setattr(target, name, original)
    monkey.clear()


def prove_timed(vectors, statement) -> tuple[dict, bytes]:
    """One proof with every step timed; returns {label: ms} and the proof bytes."""
    values, blindings, key, n = statement
    clock, monkey = StepClock(), []
    _patched(monkey, clock, vectors)
    try:
        start, wall = time.process_time(), time.perf_counter()
        proof, _ = prover._prove(Transcript(b"bench/prover-steps"), values, blindings, n,
                                 generators(), NonceStream(key))
        total, wall = time.process_time() - start, time.perf_counter() - wall
    finally:
        _undo(monkey)
    steps = {k: v * 1e3 for k, v in clock.totals.items()}
    steps["rest"] = total * 1e3 - sum(steps.values())
    steps["total (CPU)"], steps["total (wall)"] = total * 1e3, wall * 1e3
    return steps, proof.to_bytes()


def run(n: int, m: int, reps: int) -> dict:
    generators().vectors(n * m)
    ways = {"python": IntVectors(), "kernel": kernel_vectors.vectors_for(generators().backend)}
    if isinstance(ways["kernel"], IntVectors):
        raise SystemExit("bench/prover_steps.py: the C kernel is not the default backend here")
    samples = {way: collections.defaultdict(list) for way in ways}
    for rep in range(reps + 1):   # rep 0 warms caches and is dropped
        statement = ([secrets.randbelow(2**n) for _ in range(m)],
                     [random_scalar() for _ in range(m)], secrets.token_bytes(32), n)
        order = list(ways) if rep % 2 else list(reversed(ways))
        proofs = {}
        for way in order:
            steps, proofs[way] = prove_timed(ways[way], statement)
            for label, ms in steps.items():
                if rep:
                    samples[way][label].append(ms)
        if proofs["python"] != proofs["kernel"]:
            raise SystemExit("bench/prover_steps.py: the two ways gave different proof bytes")
    return {way: {label: round(statistics.median(v), 3) for label, v in per.items()}
            for way, per in samples.items()}


def table(result: dict, m: int) -> str:
    subs = sorted({sub for _, _, sub in KERNEL_CALLS})
    labels = [x for _, _, label in STEPS for x in [label] + [f"{label} / {sub}" for sub in subs]]
    labels += ["rest", "total (CPU)", "total (wall)"]
    rows = ["| step | Python ints (ms) | kernel (ms) |", "|---|---|---|"]
    for label in labels:
        py, k = result["python"].get(label), result["kernel"].get(label)
        if py is None and k is None:
            continue
        rows.append(f"| {label} | {py or 0:.2f} | {k or 0:.2f} |")
    per_leaf = [result[w]["total (CPU)"] / m for w in ("python", "kernel")]
    rows.append(f"| per value (CPU) | {per_leaf[0]:.3f} | {per_leaf[1]:.3f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--m", type=int, default=64)
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--json", type=pathlib.Path)
    args = parser.parse_args()
    result = run(args.n, args.m, args.reps)
    print(table(result, args.m))
    if args.json:
        meta = {"n": args.n, "m": args.m, "reps": args.reps, "python": platform.python_version(),
                "machine": platform.machine(), "cpu_seconds": "time.process_time, medians"}
        args.json.write_text(json.dumps({"meta": meta, **result}, indent=1) + "\n")


if __name__ == "__main__":
    main()
