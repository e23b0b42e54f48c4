# SPDX-License-Identifier: EUPL-1.2
"""The work queue in a real browser (the fixtures of tests/test_browser.py): an operator logs
in with both factors, opens the queue, opens a discrepancy, takes it up, comments on it and
resolves it with an outcome from the list, and sees it resolved with its history.

INTERSCAMBIO_SCREENSHOTS=1 writes the queue's pictures into docs/screenshots/."""

from __future__ import annotations

from interscambio.reconciliation import kinds
from tests import queue_world
from tests.test_browser import Browser, browser, log_in

__all__ = ["browser"]  # the fixture


def test_a_discrepancy_from_open_to_resolved(browser: Browser) -> None:
    page, base = browser.page, browser.base
    found = queue_world.discrepancies()
    d = found[kinds.DOMICILE]
    log_in(browser, "operatore")

    page.click("nav a:has-text('Coda di lavoro')")
    page.wait_for_url(f"{base}/lavoro/")
    rows = page.locator("[data-testid=queue-table] tbody tr")
    assert rows.count() == len(found)
    browser.shoot("queue")

    page.click(f"[data-testid=queue-table] tr[data-id='{d.pk}'] a")
    page.wait_for_url(f"{base}/lavoro/{d.pk}/")
    assert page.locator("[data-testid=status]").inner_text() == "Aperta"
    differing = page.locator("[data-testid=sides] tr.differs th").all_inner_texts()
    # The domicile, and the permit renewed (a new number and expiry); the person the same.
    assert differing == [
        "Indirizzo (residenza / domicilio dichiarato)",
        "Numero del permesso",
        "Scadenza del permesso",
    ], differing

    page.click("[data-testid=action-prendi] button")
    page.wait_for_url(f"{base}/lavoro/{d.pk}/")
    assert page.locator("[data-testid=status]").inner_text() == "In esame"
    assert page.locator("[data-testid=assigned]").inner_text() == "operatore"
    browser.shoot("queue-detail")

    page.fill("#commenta-nota", "Sentito il titolare: si è trasferito in via Garibaldi")
    page.click("[data-testid=action-commenta] button")
    page.wait_for_url(f"{base}/lavoro/{d.pk}/")

    page.select_option("#risolvi-esito", "indirizzo_aggiornato")
    page.fill("#risolvi-nota", "cambio di indirizzo registrato")
    page.click("[data-testid=action-risolvi] button")
    page.wait_for_url(f"{base}/lavoro/{d.pk}/")
    status = page.locator("[data-testid=status]").inner_text()
    assert status == "Risolta – Indirizzo aggiornato in anagrafe", status

    history = page.locator("[data-testid=history] tbody tr")
    steps = [row.locator("td").nth(2).inner_text() for row in history.all()]
    assert steps == ["aperta", "presa_in_carico", "commento", "risolta"], steps
    assert "Sentito il titolare" in history.nth(2).inner_text()

    page.goto(f"{base}/lavoro/")
    assert page.locator(f"[data-testid=queue-table] tr[data-id='{d.pk}']").count() == 0
    assert not browser.problems, "\n".join(browser.problems)
