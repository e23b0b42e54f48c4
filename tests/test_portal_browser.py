# SPDX-License-Identifier: EUPL-1.2
"""The portal in a real browser: Debian's Chromium, driven by Playwright, never a downloaded
browser. A consultant logs in with both factors, searches with a purpose, opens a person; the
supervisor then finds that read in the log. The pages must load without a refused resource
(the Content Security Policy, the static files). INTERSCAMBIO_SCREENSHOTS=1 writes the pictures
of the main pages into docs/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import portal_world
from tests.portal_world import PASSWORD, code_for

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@pytest.fixture
def browser_page(
    live_server: Any, settings: Any, tmp_path: Path, transactional_db: None, monkeypatch: Any
) -> Iterator[tuple[Any, str, list[str]]]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # (building the world, reading TOTP devices) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID = "comune", "001272"
    settings.PASSWORD_HASHERS = portal_world.FAST_HASHERS
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    portal_world.build(tmp_path)
    problems: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="it-IT")
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        yield page, live_server.url, problems
        browser.close()


def shoot(page: Any, name: str, tmp_path: Path) -> None:
    folder = SHOTS if os.environ.get("INTERSCAMBIO_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def log_in(page: Any, base: str, username: str, tmp_path: Path, shots: bool = False) -> None:
    page.goto(f"{base}/accesso/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if shots:
        shoot(page, "login", tmp_path)
    page.click("button[type=submit]:has-text('Continua')")
    page.wait_for_url(f"{base}/accesso/codice/")
    if shots:
        shoot(page, "second-factor", tmp_path)
    page.fill("#id_code", code_for(username))
    page.click("button[type=submit]:has-text('Verifica')")
    page.wait_for_load_state()
    assert "/accesso/" not in page.url


def test_a_consultation_from_login_to_the_supervisors_log(
    browser_page: tuple[Any, str, list[str]], tmp_path: Path
) -> None:
    page, base, problems = browser_page
    log_in(page, base, "agente", tmp_path, shots=True)
    page.goto(f"{base}/consultazione/")
    page.select_option("#id_finalita", "rinnovo_permesso")
    page.fill("#id_riferimento_pratica", "PRAT/2026/0042")
    page.fill("#id_cognome", "Benani")
    page.fill("#id_nome", "Muhammad")
    page.fill("#id_data_nascita", "1985-03-12")
    page.click("button[type=submit]:has-text('Cerca')")
    page.wait_for_selector("text=Risultati")
    assert page.locator("table a", has_text="BENNANI MOHAMMED").count() == 1
    shoot(page, "search", tmp_path)
    page.click("table a:has-text('BENNANI MOHAMMED')")
    page.wait_for_url(f"{base}/consultazione/persone/R0001/")
    assert page.locator("dd", has_text="CORSO REGINA MARGHERITA 12").count() == 1
    shoot(page, "person", tmp_path)
    page.click("[data-testid=logout]")
    page.wait_for_url(f"{base}/accesso/")

    log_in(page, base, "supervisore", tmp_path)
    page.goto(f"{base}/registro/?record=R0001&azione=consultazione")
    rows = page.locator("[data-testid=log-table] tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "agente" in row and "PRAT/2026/0042" in row and "residente:R0001" in row
    shoot(page, "log", tmp_path)
    assert not problems, problems
