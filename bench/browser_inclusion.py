"""Issue 13 targets for the published page, measured in Debian's chromium (not tests):

- one customer's inclusion proof at capacity 2^20 (three assets, 20-level paths) checked by
  the page's `window.zksolv.verifyInclusion` after the page has loaded (target ≤ 50 ms),
  timed inside the page with performance.now(), after one warm-up call;
- the same through the form (click → verdict) for the round the site was published with;
- the page's weight: every file of the site except the audit files (target ≤ 300 KB).

    python bench/browser_inclusion.py [--runs 50] [--users 100] [--out bench/results-browser.json]

Needs chromium (/usr/bin/chromium or ZKSOLV_CHROMIUM), node, and playwright (pip, `.[test]`).
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ZKSOLV_CHROMIUM", "/usr/bin/chromium")

TIMED = """async ([proof, manifest, runs]) => {
  const warm = await window.zksolv.verifyInclusion(proof, manifest);
  if (!warm.valid) return {error: warm.reason};
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = await window.zksolv.verifyInclusion(proof, manifest);
    times.push(performance.now() - start);
    if (!result.valid) return {error: result.reason};
  }
  return {times};
}"""


def _zksolv(*args) -> None:
    subprocess.run([sys.executable, "-m", "zksolv", *map(str, args)], check=True, cwd=ROOT)


def _site(base: Path, users: int) -> Path:
    _zksolv("demo", "--users", users, "--dir", base / "demo", "--quiet")
    _zksolv("publish", base / "demo" / "attestation", "--out", base / "site", "--quiet")
    return base / "site"


def _weight(site: Path) -> dict:
    files = {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
             if p.is_file() and p.suffix != ".audit"}
    return {"files": {n: len(b) for n, b in files.items()}, "total_bytes": sum(map(len, files.values())),
            "total_gzip_bytes": sum(len(gzip.compress(b, 9)) for b in files.values())}


def _summary(times: list[float]) -> dict:
    times = sorted(times)
    return {"runs": len(times), "median_ms": round(statistics.median(times), 2),
            "p90_ms": round(times[int(0.9 * (len(times) - 1))], 2), "max_ms": round(times[-1], 2)}


def _form(page, proof_text: str, runs: int) -> dict:
    times = []
    for _ in range(runs):
        page.fill("#proof", proof_text)
        start = time.perf_counter()
        page.click("#verify")
        page.wait_for_selector('#result[data-valid="true"]')
        times.append((time.perf_counter() - start) * 1000)
        page.evaluate("() => { document.getElementById('result').dataset.valid = ''; }")
    return _summary(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    made = json.loads(subprocess.run(["node", "bench/browser_proof.mjs", "20"], cwd=ROOT, check=True,
                                     capture_output=True, text=True).stdout)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as driver:
        site = _site(Path(tmp), args.users)
        browser = driver.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        page.goto((site / "index.html").as_uri())
        page.wait_for_selector("html[data-ready=true]")
        timed = page.evaluate(TIMED, [made["proof"], made["manifest"], args.runs])
        if "error" in timed:
            raise SystemExit(f"the 2^20 proof did not verify: {timed['error']}")
        form = _form(page, (Path(tmp) / "demo" / "customer-spot.json").read_text(), min(args.runs, 20))
        result = {"capacity_2_20": _summary(timed["times"]), "form_demo_round": form, "weight": _weight(site),
                  "chromium": browser.version, "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                  f"{platform.processor() or platform.platform()}", "demo_users": args.users}
        browser.close()
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
