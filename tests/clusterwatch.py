"""Preloaded into the test cluster's `dask scheduler` (clusterkit.py: `--preload`): ends the
scheduler once the process that started it is gone. A test session that is killed outright
(SIGKILL: no `finally`, no cleanup) then leaves no scheduler running; its workers follow
by their own `--death-timeout` once the scheduler is gone.

The scheduler's parent is the test process (clusterkit starts `dask scheduler` directly, no
shell between); when that process dies the scheduler is handed to another parent, which is
what the watch sees.
"""

import os
import threading
import time

POLL_SECONDS = 0.5


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(0)   # no cleanup to wait for: nothing of the scheduler's is worth keeping


threading.Thread(target=_watch, args=(os.getppid(),), name="zksolv-test-parent-watch",
                 daemon=True).start()
