# SPDX-License-Identifier: EUPL-1.2
"""Imports in a real node process: killed halfway, and a million records in bounded memory."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.flows import Questura, large_permit_flow
from tests.nodes import NodeProcess, comune_trusting_a_questura


@pytest.fixture
def comune(tmp_path: Path) -> Iterator[tuple[NodeProcess, Questura]]:
    """A Comune node process that trusts a Questura whose key the test holds."""
    with comune_trusting_a_questura(tmp_path) as (node, questura, _):
        yield node, questura


def test_an_import_killed_halfway_leaves_nothing_and_completes_when_run_again(
    comune: tuple[NodeProcess, Questura],
) -> None:
    node, questura = comune
    count = 300_000
    path, signature = large_permit_flow(questura, count)
    (path.parent / (path.name + ".jws")).write_text(signature)
    importer = node.start("flow", "import", str(path))
    # The flow is committed as received before its records are applied: wait for that, then
    # kill the process while it applies them.
    deadline = time.monotonic() + 60
    while node.query("Flow.objects.filter(state='received').count()") != "1":
        assert importer.poll() is None, importer.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(0.5)
    assert importer.poll() is None, "the import ended before it could be killed"
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    assert node.query("ReceivedPermit.objects.count()") == "0"
    assert node.query("list(Flow.objects.values_list('state', flat=True))") == "['received']"

    again = node.run("flow", "import", str(path))
    assert "applicato" in again.stdout
    assert node.query("ReceivedPermit.objects.count()") == str(count)
    assert node.query("list(Flow.objects.values_list('state', flat=True))") == "['applied']"


def test_a_million_record_flow_is_applied_in_bounded_memory(
    comune: tuple[NodeProcess, Questura],
) -> None:
    node, questura = comune
    count = 1_000_000
    path, signature = large_permit_flow(questura, count)
    (path.parent / (path.name + ".jws")).write_text(signature)
    output, peak = node.run_measured("flow", "import", str(path))
    assert f"applicato: {count} valid, 0 rejected" in output
    assert node.query("ReceivedPermit.objects.count()") == str(count)
    peak_mb = peak / 2**20
    assert peak_mb < 500, f"peak memory {peak_mb:.0f} MB"
