"""``make run``'s process manager: honcho, with a longer grace before it sends SIGKILL.

On Ctrl-C honcho sends SIGTERM to each process group, then SIGKILL to whatever still runs 5 s later (a constant in
honcho). The worker runs with ``REMAP_SIGTERM=SIGQUIT`` (Procfile): its pool children ignore that SIGTERM, and the
worker's soft shutdown gives tasks in flight ``CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT`` seconds, then cancels them and
returns them to the queue (acks_late). On the file broker the whole shutdown takes about 4 to 7 s, so this waits
``HONCHO_KILL_WAIT`` (9 s by default) before the SIGKILL that a clean stop never needs.

When one process exits, honcho stops the others, on purpose: a worker that died alone would leave web accepting
work that never runs, unnoticed. The worker does not die on a bad message in the file broker's queue
(``core/broker.py`` moves it aside with an error in the log); anything else that stops a process shows at once.

Ctrl-C is how ``make run`` is stopped, so a stop it asked for exits 0 (honcho says 130, and make then ends with
``make: *** [Makefile:…: run] Error 130``); a process that exits by itself still makes honcho exit non-zero.

Usage: ``python -m config.honcho_run start -f Procfile`` (any honcho arguments).
"""

import os
import signal
import sys

import honcho.manager
from honcho.command import main

honcho.manager.KILL_WAIT = int(os.environ.get("HONCHO_KILL_WAIT", "9"))
honcho.manager.SIGNALS[signal.SIGINT]["rc"] = 0

if __name__ == "__main__":
    sys.exit(main())
