"""Where chunk proofs run: inline, a local process pool, or a Dask cluster (DESIGN §10).

One code path: anything with the `concurrent.futures.Executor` interface. Dask is an
optional extra (`pip install 'zksolv[cluster]'`); its executor re-runs the tasks of a lost
worker on the others.
"""

import os
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager

from zksolv.errors import InputError


class InlineExecutor(Executor):
    """Runs each task at submission, in this process (one worker, no pickling)."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


@contextmanager
def executor_for(workers: int, scheduler: str | None = None):
    """An executor for `--workers N` or `--scheduler tcp://HOST:PORT`, closed on exit."""
    if scheduler:
        with dask_client(scheduler) as client:
            yield client.get_executor()
    elif workers > 1:
        with ProcessPoolExecutor(workers, initializer=_end_with_parent) as pool:
            yield pool
    else:
        yield InlineExecutor()


@contextmanager
def dask_client(scheduler: str):
    """A Dask client of the scheduler at `scheduler`, closed on exit; unreachable is an
    InputError (exit 3), a missing Dask too."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'zksolv[cluster]'") from None
    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        yield client
    finally:
        client.close()


def _end_with_parent() -> None:
    """Pool worker initializer: leave when the parent is gone. A `kill -9` of the prover (which
    README invites, then a rerun) otherwise leaves its workers blocked on the task pipe forever."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
