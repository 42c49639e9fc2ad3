"""`python bench/peak_run.py PEAK_FILE ARGS…` runs `zksolv ARGS…` (the real command line,
unchanged) and, at exit, writes this process's own peak RSS in KiB (VmHWM) to PEAK_FILE.
Bench only (bench/solvency.py): the peak of the one `zksolv` process, not of whatever child
of the bench was largest so far (see coordinator_run.peak_kib)."""

import atexit
import pathlib
import sys

from coordinator_run import peak_kib

if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1])
    atexit.register(lambda: out.write_text(f"{peak_kib()}\n"))
    sys.argv = ["zksolv", *sys.argv[2:]]
    from zksolv.cli import main

    main()
