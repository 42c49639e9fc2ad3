#!/usr/bin/env python3
"""Time PEER range-proof implementations for side-by-side comparison with zksolv.

Peers
-----
* ``pybulletproofs`` -- PyO3 bindings (initc3/pybulletproofs) to dalek's Rust
  ``bulletproofs`` 4.x over ristretto255.  Wheels exist only for cp38/cp39/cp310
  (not abi3); the only sdist (0.1.0.dev4) does not vendor its Rust crates, so it
  cannot be built without crates.io.  We therefore run it in a subprocess under a
  CPython <= 3.10 interpreter (a pyenv 3.10.13 build is used if present).
  API: ``zkrp_prove(value, bits) -> (proof, commitment, blinding)`` and
  ``zkrp_verify(proof, commitment, bits) -> bool``.  Each call rebuilds
  ``BulletproofGens::new(64, 1)`` and ``PedersenGens`` inside Rust, so that
  setup cost is included in every figure.  Aggregation (m > 1) is NOT exposed.
* ``wallycore`` -- libwally-core (C, bundles secp256k1-zkp): Elements/Liquid
  Borromean range proof.  create = ``asset_rangeproof_with_nonce``; verify =
  ``secp256k1_rangeproof_verify`` called via ctypes on the symbols exported by
  ``_wallycore``'s shared object (pure verification); we also time
  ``asset_unblind_with_nonce`` (rewind = verify + recover value/blinders), which
  is the only verification path in wally's own Python API for non-explicit proofs.

Usage
-----
    python bench/peers.py [--reps N] [--setup]
    # --setup creates /tmp/peervenv (current python) and /tmp/peervenv310
    # (CPython 3.10) and pip-installs the peers.

    from bench.peers import run_peers; run_peers(reps=15)   # -> dict (ms)

Interpreters are picked per peer: $PEERS_PY_<PEER> if set, else the current
interpreter if it can import the peer, else the venvs above.  Every peer runs in
its own subprocess; a peer that cannot be had yields
``{"available": false, "why": "..."}`` instead of an exception.

Only stdlib is needed in the calling interpreter.
"""
from __future__ import annotations

import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.abspath(__file__)
VENV_MAIN = os.environ.get("PEERS_VENV", "/tmp/peervenv")
VENV_310 = os.environ.get("PEERS_VENV310", "/tmp/peervenv310")

PYBP_UNAVAILABLE_BACKGROUND = (
    "pybulletproofs publishes only cp38/cp39/cp310 manylinux wheels (non-abi3); "
    "its only sdist (0.1.0.dev4, 5.8 kB) vendors no Rust crates and needs crates.io "
    "(bulletproofs 4, curve25519-dalek-ng, merlin, pyo3 0.16), which is unreachable "
    "('Could not resolve host: index.crates.io'); Debian bookworm packages no "
    "bulletproofs/merlin/dalek crates and no python3.9/3.10."
)


# --------------------------------------------------------------------------
# timing helpers (used in child processes)
# --------------------------------------------------------------------------
def _time_ms(fn, reps, warmup=1):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": round(statistics.median(ts), 4),
            "min_ms": round(min(ts), 4),
            "reps": reps}


# --------------------------------------------------------------------------
# child: pybulletproofs
# --------------------------------------------------------------------------
def _child_pybulletproofs(reps):
    import pybulletproofs as pbp
    try:
        from importlib.metadata import version
        ver = version("pybulletproofs")
    except Exception:  # pragma: no cover
        ver = "?"
    out = {"available": True, "version": ver,
           "python": sys.version.split()[0],
           "backend": "dalek bulletproofs 4.x (Rust) over ristretto255, via PyO3",
           "note": ("each prove/verify call rebuilds BulletproofGens(64,1)+PedersenGens "
                    "in Rust; that setup is included in the figures"),
           "single": {}}
    for n in (32, 64):
        value = (1 << n) - 12345
        proof, com, _blind = pbp.zkrp_prove(value, n)
        ok = pbp.zkrp_verify(proof, com, n)
        bad = bytearray(proof)
        bad[len(bad) // 2] ^= 1
        try:
            rej = not pbp.zkrp_verify(bytes(bad), com, n)
        except BaseException:  # deserialisation panic also counts as reject
            rej = True
        if not ok:
            raise RuntimeError(f"pybulletproofs failed to verify its own n={n} proof")
        out["single"][f"n{n}"] = {
            "prove": _time_ms(lambda: pbp.zkrp_prove(value, n), reps),
            "verify": _time_ms(lambda: pbp.zkrp_verify(proof, com, n), reps),
            "proof_bytes": len(proof),
            "verifies": ok, "rejects_tampered": rej,
        }
    out["aggregated"] = {
        f"m{m}": {"available": False,
                  "why": ("API exposes only zkrp_prove(value,bits)/zkrp_verify(proof,commitment,bits); "
                          "BulletproofGens::new(64,1) is hard-coded (party capacity 1) and "
                          "RangeProof::prove_multiple/verify_multiple are not bound")}
        for m in (1, 8, 64, 256)}
    out["aggregated"]["m1"] = {"available": True, "same_as": "single"}
    return out


# --------------------------------------------------------------------------
# child: wallycore
# --------------------------------------------------------------------------
def _child_wallycore(reps):
    import ctypes
    import wallycore as w
    import _wallycore
    try:
        from importlib.metadata import version
        ver = version("wallycore")
    except Exception:  # pragma: no cover
        ver = "?"
    if not w.is_elements_build():
        raise RuntimeError("wallycore build lacks Elements support")

    rnd = os.urandom
    asset, abf, vbf, nonce = rnd(32), rnd(32), rnd(32), rnd(32)
    gen = w.asset_generator_from_bytes(asset, abf)
    extra = b"\x00\x14" + rnd(20)          # scriptPubKey, committed as in Elements
    # note: wally rejects values >= 2**63 (the proven range is still [0, 2^64) for bits64)

    lib = ctypes.CDLL(_wallycore.__file__)
    lib.wally_get_secp_context.restype = ctypes.c_void_p
    ctx = ctypes.c_void_p(lib.wally_get_secp_context())
    lib.secp256k1_rangeproof_verify.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64),
        ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
        ctypes.c_size_t, ctypes.c_char_p]
    lib.secp256k1_rangeproof_verify.restype = ctypes.c_int

    out = {"available": True, "version": ver,
           "python": sys.version.split()[0],
           "backend": "libwally-core -> secp256k1-zkp Borromean ring-signature range proof (secp256k1)",
           "configs": {}}
    # (label, value, min_value, exp, min_bits).  min_value=0, exp=0 gives a plain
    # [0, 2^bits) proof (secp raises bits if the value needs more; see proven_range).
    # Elements itself uses (min_value=1, exp=0, min_bits=52).
    for label, value, min_value, exp, min_bits in (("bits32", (1 << 32) - 12345, 0, 0, 32),
                                                   ("bits64", (1 << 63) - 12345, 0, 0, 64)):
        com = w.asset_value_commitment(value, vbf, gen)
        C = ctypes.create_string_buffer(64)
        G = ctypes.create_string_buffer(64)
        assert lib.secp256k1_pedersen_commitment_parse(ctx, C, bytes(com)) == 1
        assert lib.secp256k1_generator_parse(ctx, G, bytes(gen)) == 1

        def create():
            return w.asset_rangeproof_with_nonce(value, nonce, asset, abf, vbf, com, extra,
                                                 gen, min_value, exp, min_bits)
        proof = bytes(create())
        mn, mx = ctypes.c_uint64(), ctypes.c_uint64()

        def verify(p=proof):
            return lib.secp256k1_rangeproof_verify(ctx, ctypes.byref(mn), ctypes.byref(mx), C, p,
                                                   len(p), extra, len(extra), G)

        def rewind():
            return w.asset_unblind_with_nonce(nonce, proof, com, extra, gen)

        ok = verify() == 1
        rng = [mn.value, mx.value]
        bad = bytearray(proof)
        bad[len(bad) // 2] ^= 1
        rej = verify(bytes(bad)) == 0
        rv = rewind()
        if not ok or rv[0] != value or bytes(rv[1]) != asset:
            raise RuntimeError(f"wallycore self-check failed for {label}")
        out["configs"][label] = {
            "params": {"value": value, "min_value": min_value, "exp": exp, "min_bits": min_bits},
            "proven_range": rng,
            "create": _time_ms(create, reps),
            "verify": _time_ms(verify, reps),
            "verify_via_asset_unblind_rewind": _time_ms(rewind, reps),
            "proof_bytes": len(proof),
            "verifies": ok, "rejects_tampered": rej,
        }
    out["aggregated"] = {"available": False,
                         "why": "Borromean range proofs have no aggregation; cost is linear in m"}
    return out


CHILDREN = {"pybulletproofs": _child_pybulletproofs, "wallycore": _child_wallycore}


# --------------------------------------------------------------------------
# parent: interpreter discovery + subprocess orchestration
# --------------------------------------------------------------------------
def _py_version(py):
    try:
        r = subprocess.run([py, "-c", "import sys;print('%d.%d.%d'%sys.version_info[:3])"],
                           capture_output=True, text=True, timeout=60)
        return tuple(int(x) for x in r.stdout.strip().split(".")) if r.returncode == 0 else None
    except Exception:
        return None


def _can_import(py, module):
    try:
        r = subprocess.run([py, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
        return r.returncode == 0, (r.stderr.strip().splitlines() or [""])[-1]
    except Exception as e:
        return False, repr(e)


def _find_py310():
    """A CPython <= 3.10 (>= 3.8) interpreter, or None."""
    cands = [os.path.join(VENV_310, "bin", "python")]
    cands += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3")), reverse=True)
    cands += sorted(glob.glob("/root/.pyenv/versions/3.10*/bin/python3"), reverse=True)
    cands += ["python3.10", "python3.9", "python3.8"]
    cands += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.9*/bin/python3")), reverse=True)
    cands += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.8*/bin/python3")), reverse=True)
    for c in cands:
        v = _py_version(c)
        if v and (3, 8) <= v[:2] <= (3, 10):
            return c
    return None


def _candidates(peer):
    env = os.environ.get("PEERS_PY_" + peer.upper())
    c = [env] if env else []
    c.append(sys.executable)
    if peer == "pybulletproofs":
        c.append(os.path.join(VENV_310, "bin", "python"))
    else:
        c.append(os.path.join(VENV_MAIN, "bin", "python"))
    return [x for x in c if x]


def _run_peer(peer, reps, timeout=1800):
    tried = []
    for py in _candidates(peer):
        if not (os.path.exists(py) or os.sep not in py):
            tried.append(f"{py}: not found")
            continue
        ok, err = _can_import(py, peer)
        if not ok:
            tried.append(f"{py}: {err}")
            continue
        r = subprocess.run([py, HERE, "--child", peer, "--reps", str(reps)],
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            return {"available": False, "interpreter": py,
                    "why": "child failed: " + (r.stderr.strip().splitlines() or ["?"])[-1]}
        res = json.loads(r.stdout.strip().splitlines()[-1])
        res["interpreter"] = py
        return res
    why = "not importable in any candidate interpreter: " + "; ".join(tried)
    if peer == "pybulletproofs":
        py310 = _find_py310()
        why += ("; " + PYBP_UNAVAILABLE_BACKGROUND +
                ("" if py310 else " No CPython 3.8-3.10 interpreter found on this machine.") +
                (f" A 3.10 interpreter exists at {py310}: run `python bench/peers.py --setup`."
                 if py310 else ""))
    else:
        why += "; run `python bench/peers.py --setup` (pip install wallycore)"
    return {"available": False, "why": why}


def run_peers(reps: int = 15) -> dict:
    """Time all peers; returns a JSON-serialisable dict (times in milliseconds)."""
    res = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "processor": _cpu_model(), "caller_python": sys.version.split()[0]},
           "reps": reps, "stat": "median (and min) of reps after 1 warm-up, wall-clock ms, single thread"}
    for peer in CHILDREN:
        try:
            res[peer] = _run_peer(peer, reps)
        except Exception as e:  # never fail the whole run
            res[peer] = {"available": False, "why": f"{type(e).__name__}: {e}"}
    return res


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def setup():
    """Create the throwaway venvs and install the peers (the commands that worked)."""
    cmds = [[sys.executable, "-m", "venv", VENV_MAIN],
            [os.path.join(VENV_MAIN, "bin", "pip"), "install", "wallycore"]]
    py310 = _find_py310()
    if py310 and not py310.startswith(VENV_310):
        cmds += [[py310, "-m", "venv", VENV_310]]
    if py310:
        cmds += [[os.path.join(VENV_310, "bin", "pip"), "install", "pybulletproofs"]]
    else:
        print("no CPython 3.8-3.10 interpreter found; pybulletproofs cannot be installed",
              file=sys.stderr)
    for c in cmds:
        print("+", " ".join(c), file=sys.stderr)
        subprocess.run(c, check=False, stdout=sys.stderr)


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--setup", action="store_true", help="create venvs and pip install peers first")
    ap.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(CHILDREN[a.child](a.reps)))
        return 0
    if a.setup:
        setup()
    print(json.dumps(run_peers(a.reps), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
