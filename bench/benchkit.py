"""What the benchmarks that compare two built source trees share: loading a tree's C kernel
beside this process's own, and printing and saving a result as JSON."""

import ctypes
import glob
import json
import os


def kernel_of(tree: str, tool: str) -> ctypes.CDLL:
    """The C kernel built in place in `tree` (setup.py build_ext --inplace); `tool` names
    the benchmark in the one-line error when there is not exactly one."""
    found = glob.glob(os.path.join(tree, "zksolv/group/backends/_native*.so"))
    if len(found) != 1:
        raise SystemExit(f"{tool}: error: no single built kernel in {tree}")
    return ctypes.CDLL(found[0])


def report(result: dict, path) -> None:
    """`result` printed as JSON, and written to `path` too unless it is None."""
    text = json.dumps(result, indent=1)
    print(text)
    if path:
        with open(path, "w") as f:
            f.write(text + "\n")
