# SPDX-License-Identifier: EUPL-1.2
"""The consultation portal in a real browser: Debian's Chromium driven by Playwright, never a
downloaded browser. A consultant logs in with both factors, searches with a purpose and a case
reference, opens the person; the supervisor then finds that read in the access log. Every page
must load with Bootstrap Italia applied and nothing refused: no Content Security Policy
violation, no failed request, no missing static file.

INTERSCAMBIO_SCREENSHOTS=1 writes the pictures of the main pages into docs/screenshots/; without
it they go to the test's temporary directory, so a CI run leaves the tree clean."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connections

from tests import portal_world
from tests.portal_world import PASSWORD, code_for

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Request, Response

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CASE = "PRAT/2026/0042"
# The console names the refused inline element; this names the directive and the source too.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => window.reportCsp(
  `${e.violatedDirective} refused ${e.blockedURI || "inline"} in ${e.sourceFile || e.documentURI}`
  + `:${e.lineNumber} (${e.sample})`));
"""
# Bootstrap Italia's primary blue on the header: its stylesheet is there and applied.
ITALIA_BLUE = "rgb(0, 102, 204)"
# Its typeface, which the page must load from the node's own static files.
TITILLIUM_LOADED = """document.fonts.ready.then((fonts) => [...fonts].some(
  (f) => f.family.replaceAll('"', "") === "Titillium Web" && f.status === "loaded"))"""
# Text, password and date fields need the class, or they stay narrow under their label.
UNSTYLED_INPUTS = """[...document.querySelectorAll(
  "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not(.form-control)"
)].map((i) => i.name)"""
# A refused font or image is named by its whole data: URL; the start says enough.
LONGEST = 400


@dataclass
class Browser:
    page: Page
    base: str
    shots: Path
    problems: list[str] = field(default_factory=list)

    def report(self, problem: str) -> None:
        self.problems.append(problem if len(problem) <= LONGEST else f"{problem[:LONGEST]}…")

    def watch(self) -> None:
        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.report(f"console error on {self.page.url}: {message.text}")

        def response(answer: Response) -> None:
            if "/static/" in answer.url and answer.status >= 400:
                self.report(f"HTTP {answer.status} for {answer.url}")

        def failed(request: Request) -> None:
            self.report(f"request failed: {request.url} ({request.failure})")

        self.page.on("console", console)
        self.page.on("pageerror", lambda error: self.report(f"script error: {error}"))
        self.page.on("requestfailed", failed)
        self.page.on("response", response)
        self.page.expose_function(
            "reportCsp", lambda text: self.report(f"CSP on {self.page.url}: {text}")
        )
        self.page.add_init_script(REPORT_CSP)

    def shoot(self, name: str) -> None:
        """A picture of the page, once it is checked for Bootstrap Italia's look."""
        self.check_styled()
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def check_styled(self) -> None:
        header = self.page.locator(".it-header-center-wrapper")
        blue = header.evaluate("e => getComputedStyle(e).backgroundColor")
        if blue != ITALIA_BLUE:
            self.report(f"no Bootstrap Italia stylesheet on {self.page.url}: header is {blue}")
        bare = self.page.evaluate(UNSTYLED_INPUTS)
        if bare:
            self.report(f"fields without the form-control class on {self.page.url}: {bare}")
        if not self.page.evaluate(TITILLIUM_LOADED):
            self.report(f"Bootstrap Italia's typeface Titillium Web not loaded on {self.page.url}")


@pytest.fixture
def browser(
    transactional_db: None, live_server: Any, settings: Any, tmp_path: Path, monkeypatch: Any
) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests use Debian's Chromium, "
            "install it with `apt-get install chromium chromium-driver`"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and Django then refuses the
    # plain synchronous ORM calls the test makes (the world, the TOTP codes).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server is a thread of this process: it sees these settings and this world.
    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID = "comune", "001272"
    settings.PASSWORD_HASHERS = portal_world.FAST_HASHERS
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    portal_world.build(tmp_path)
    shots = SCREENSHOTS if os.environ.get("INTERSCAMBIO_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = chromium.new_page(viewport={"width": 1280, "height": 900}, locale="it-IT")
            watched = Browser(page, live_server.url, shots)
            watched.watch()
            yield watched
        finally:
            chromium.close()
            # Inside Playwright's greenlet the ORM opened a connection of its own; left open,
            # PostgreSQL refuses to drop the test database at the end of the session.
            connections.close_all()


def log_in(browser: Browser, username: str, *, shoot: bool = False) -> None:
    page, base = browser.page, browser.base
    page.goto(f"{base}/accesso/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if shoot:
        browser.shoot("login")
    page.click("button[type=submit]:has-text('Continua')")
    page.wait_for_url(f"{base}/accesso/codice/")
    page.fill("input[name=code]", code_for(username))
    if shoot:
        browser.shoot("second-factor")
    page.click("button[type=submit]:has-text('Verifica')")
    page.wait_for_url(lambda url: "/accesso/" not in url)
    assert page.locator("[data-testid=logout]").is_visible()


def test_a_consultation_from_the_login_to_the_supervisors_log(browser: Browser) -> None:
    page, base = browser.page, browser.base
    log_in(browser, "agente", shoot=True)

    page.goto(f"{base}/consultazione/")
    page.select_option("select[name=finalita]", "rinnovo_permesso")
    page.fill("input[name=riferimento_pratica]", CASE)
    page.fill("input[name=cognome]", "Benani")
    page.fill("input[name=nome]", "Muhammad")
    page.fill("input[name=data_nascita]", "1985-03-12")
    page.click("button[type=submit]:has-text('Cerca')")
    page.wait_for_selector("#results")
    found = page.locator("table a[href='/consultazione/persone/R0001/']")
    assert found.inner_text() == "BENNANI MOHAMMED"
    browser.shoot("search")

    found.click()
    page.wait_for_url(f"{base}/consultazione/persone/R0001/")
    address = page.locator("dt:has-text('Indirizzo attuale') + dd")
    assert address.inner_text() == "CORSO REGINA MARGHERITA 12"
    browser.shoot("person")

    page.click("[data-testid=logout]")
    page.wait_for_url(f"{base}/accesso/")
    assert page.locator("[data-testid=logout]").count() == 0

    log_in(browser, "supervisore")
    page.goto(f"{base}/registro/")
    page.fill("input[name=record]", "R0001")
    page.click("button[type=submit]:has-text('Filtra')")
    page.wait_for_url(lambda url: "record=R0001" in url)
    rows = page.locator("[data-testid=log-table] tbody tr")
    cells = [[c.strip() for c in row.locator("td").all_inner_texts()] for row in rows.all()]
    views = [c for c in cells if c[4] == "consultazione"]
    assert len(views) == 1, cells
    assert views[0][2] == "agente" and CASE in views[0][5], views[0]
    assert "residente:R0001" in views[0][6], views[0]
    browser.shoot("log")

    assert not browser.problems, "\n".join(browser.problems)
