# SPDX-License-Identifier: EUPL-1.2
"""gunicorn settings for an interscambio node behind nginx (docs/deploy.md).

Installed as /etc/interscambio/gunicorn.conf.py and started by
deploy/systemd/interscambio-web.service. Any setting can be overridden without editing this
file: Environment=GUNICORN_CMD_ARGS=--workers=6 in a drop-in (systemctl edit interscambio-web).
"""

import os
from pathlib import Path

wsgi_app = "interscambio.project.wsgi:application"

# Only nginx on this machine talks to gunicorn; TLS ends there.
bind = "127.0.0.1:8000"
forwarded_allow_ips = "127.0.0.1,::1"

# Sync workers: a request is short and waits on the database about half its time. Two per core
# kept two cores busy in benchmarks/api_load.py (docs/api.md); at least 3, so that a partner's
# flow being imported (one worker, up to minutes) never leaves the portal without a worker.
# Each worker holds one PostgreSQL connection: keep workers + 5 under max_connections.
worker_class = "sync"
workers = max(3, 2 * len(os.sched_getaffinity(0)))

# A sync worker is busy for the whole request: a flow is imported and answered with its
# receipt in one request, and the sender waits up to INTERSCAMBIO_HTTP_TIMEOUT_SECONDS (600).
timeout = 600
# On stop or reload, running requests get this long; an interrupted import is rolled back and
# finished by the next delivery or `interscambio schedule run` (docs/exchange.md).
graceful_timeout = 60
# Recycle workers now and then, so that no slow memory growth builds up.
max_requests = 2000
max_requests_jitter = 200

proc_name = "interscambio"
# systemd manages the service (reload, restart): no control socket in the home folder
# (gunicorn 25.1 and later; older versions ignore the name).
control_socket_disable = True
# No access log: a path may hold a registry id. The node logs each request itself, as JSON,
# by its route pattern and with its X-Request-ID (docs/operations.md).
accesslog = None
errorlog = "-"
loglevel = "info"


def _metrics_folder() -> Path | None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(folder) if folder else None


def on_starting(server):
    """Start from an empty metrics folder: figures of a previous run would be added in."""
    folder = _metrics_folder()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    """A worker that stopped no longer counts in the live gauges of /metrics."""
    if _metrics_folder() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
