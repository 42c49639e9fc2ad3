"""`python bench/coordinator_run.py COUNT_FILE ARGS…` runs `zksolv ARGS…` (the real command
line, unchanged) and, at exit, writes to COUNT_FILE how many bytes this process read from
Dask's TCP comms — everything the coordinator received from the scheduler and the workers —
and, on a second line, its own peak RSS in KiB.
The count wraps the one function distributed's TCP comm reads message bytes with, as
tests/test_coordinator_memory.py does. Bench only (bench/coordinator_memory.py)."""

import atexit
import pathlib
import sys


def count_into(path: pathlib.Path) -> None:
    import distributed.comm.tcp as tcp

    counted, read = [0], tcp.read_bytes_rw

    async def counting(stream, n):
        counted[0] += n
        return await read(stream, n)

    tcp.read_bytes_rw = counting
    atexit.register(lambda: path.write_text(f"{counted[0]}\n{peak_kib()}\n"))


def peak_kib() -> int:
    """This process's own peak RSS (VmHWM, KiB). Not wait4's ru_maxrss: Linux carries the
    parent's peak into a child's across fork and exec, so the bench process's own growth
    would show as the coordinator's."""
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith("VmHWM:")).split()[1])


if __name__ == "__main__":
    count_into(pathlib.Path(sys.argv[1]))
    sys.argv = ["zksolv", *sys.argv[2:]]
    from zksolv.cli import main

    main()
