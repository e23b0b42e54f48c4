# SPDX-License-Identifier: EUPL-1.2
"""Appends from many connections at once: every entry lands, in one unbroken chain."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from interscambio.audit import log
from interscambio.audit.models import LogEntry
from interscambio.exchange.trust import init_keys

THREADS, EACH = 6, 15


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serializes writers by itself; the test database is one in-memory file",
)
def test_concurrent_appends_keep_one_chain(
    settings: Any, tmp_path: Path, transactional_db: None
) -> None:
    settings.DATA_DIR = tmp_path
    init_keys()
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    log.append("consultazione", user=f"agente.{n}", records=[f"residente:{i}"])
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    indexes = list(LogEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(THREADS * EACH))
    log.sign_head()
    assert log.verify().ok
