"""The service as a child process for the end-to-end tests: real mode, fast time scales.

Settings come from the environment exactly as for `marksix serve`; only the
timings differ. Prints `PORT <n>` on stdout once it listens, then serves
until SIGINT (clean stop) or SIGKILL (the test's "worker killed mid-reply").
"""

from __future__ import annotations

import contextlib
import sys

import uvicorn
from e2e_harness import FAST_OPTIONS

from marksix.cli.serve import listen
from marksix.config import load_settings
from marksix.logging_setup import configure_logging
from marksix.web.app import create_app
from marksix.web.runtime import ServeOptions


def main() -> None:
    settings = load_settings(_env_file=None)
    listener = listen("127.0.0.1", 0)
    port = listener.getsockname()[1]
    fast = {
        key: value
        for key, value in FAST_OPTIONS.items()
        if key in ("limits", "sweep_every", "requeue_after", "reconcile_every")
    }
    options = ServeOptions(sandbox=False, base_url=f"http://127.0.0.1:{port}", worker_threads=4, **fast)
    configure_logging()
    app = create_app(settings, options=options)
    print(f"PORT {port}", flush=True)
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    # uvicorn re-raises the Ctrl-C it handled, once it has shut down cleanly.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    sys.exit(main())
