# SPDX-License-Identifier: EUPL-1.2
"""The portal: login with both factors and lockout, search with a purpose, the person page,
the field policy, and each read in the access log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.test import Client

from interscambio.audit import actions
from interscambio.audit.models import LogEntry
from tests import portal_world
from tests.portal_world import PASSWORD, login

PURPOSE = "rinnovo_permesso"


def last(action: str) -> dict[str, Any]:
    entry = LogEntry.objects.filter(action=action).order_by("-index").first()
    assert entry is not None, f"no {action} entry"
    return entry.entry


def test_a_password_alone_does_not_open_the_portal(world: portal_world.World) -> None:
    client = Client()
    response = client.post("/accesso/", {"username": "agente", "password": PASSWORD})
    assert response["Location"] == "/accesso/codice/"
    assert client.get("/consultazione/").status_code == 302
    response = client.post("/accesso/codice/", {"code": "000000"})
    assert response.status_code == 200 and "Codice non valido" in response.content.decode()
    assert last(actions.LOGIN_FAILED)["query"] == {"fattore": "totp"}
    assert client.get("/consultazione/")["Location"].startswith("/accesso/")


def test_both_factors_log_in_and_the_log_says_so(world: portal_world.World) -> None:
    client = Client()
    login(client, "agente")
    assert client.get("/consultazione/").status_code == 200
    assert last(actions.LOGIN)["user"] == "agente"


def test_a_first_login_sets_up_the_authenticator(world: portal_world.World) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username="agente").delete()
    client = Client()
    client.post("/accesso/", {"username": "agente", "password": PASSWORD})
    assert client.get("/accesso/codice/")["Location"] == "/accesso/attivazione/"
    page = client.get("/accesso/attivazione/").content.decode()
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user__username="agente", confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    assert client.post("/accesso/attivazione/", {"code": code}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert last(actions.LOGIN)["query"] == {"fattore": "totp_attivato"}
    assert client.get("/consultazione/").status_code == 200


def test_repeated_wrong_passwords_lock_the_account(
    world: portal_world.World, settings: Any
) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accesso/", {"username": "agente", "password": "sbagliata"})
    response = client.post("/accesso/", {"username": "agente", "password": PASSWORD})
    assert response.status_code == 403 and "bloccato" in response.content.decode()
    assert (
        LogEntry.objects.filter(action=actions.LOGIN_FAILED).count() >= settings.AXES_FAILURE_LIMIT
    )


def test_the_session_ends_when_idle(world: portal_world.World, settings: Any) -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 30 * 60
    client = Client()
    login(client, "agente")
    client.cookies["sessionid"]["max-age"] = 0
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get("/consultazione/").status_code == 302


def search(client: Client, **fields: str) -> Any:
    data = {"finalita": PURPOSE, "riferimento_pratica": "PRAT/2026/0042", **fields}
    return client.post("/consultazione/", data)


def test_no_result_before_a_purpose_and_a_case_reference(world: portal_world.World) -> None:
    client = Client()
    login(client, "agente")
    before = LogEntry.objects.count()
    response = client.post("/consultazione/", {"codice_fiscale": "BNNMHM85C12Z330T"})
    page = response.content.decode()
    assert "BENNANI" not in page and "R0001" not in page
    assert LogEntry.objects.count() == before


def test_a_search_tolerates_romanization_and_is_logged(world: portal_world.World) -> None:
    client = Client()
    login(client, "agente")
    page = search(client, cognome="Benani", nome="Muhammad", data_nascita="1985-03-12")
    text = page.content.decode()
    assert "MOHAMMED" in text and "/consultazione/persone/R0001/" in text
    assert "FATIMA" not in text
    entry = last(actions.SEARCH)
    assert entry["records"] == ["residente:R0001"]
    assert entry["purpose"] == PURPOSE and entry["case"] == "PRAT/2026/0042"
    assert entry["office"] == "Ufficio Immigrazione di Torino"
    assert entry["role"] == "consultatore_questura"


def test_the_person_page_shows_what_the_role_may_see(world: portal_world.World) -> None:
    client = Client()
    login(client, "agente")
    search(client, codice_fiscale="bnnmhm85c12z330t")
    page = client.get("/consultazione/persone/R0001/").content.decode()
    assert "CORSO REGINA MARGHERITA 12" in page and "VIA GARIBALDI 10" in page
    assert "R0002" in page  # the family member's id and relation ...
    assert "FATIMA" not in page  # ... but not their data: the consultant's family is limited
    entry = last(actions.VIEW)
    assert entry["records"] == ["residente:R0001"] and entry["purpose"] == PURPOSE
    operator = Client()
    login(operator, "operatore")
    search(operator, codice_fiscale="BNNMHM85C12Z330T")
    assert "FATIMA" in operator.get("/consultazione/persone/R0001/").content.decode()


def test_a_person_outside_the_last_search_does_not_open(world: portal_world.World) -> None:
    client = Client()
    login(client, "agente")
    search(client, codice_fiscale="BNNMHM85C12Z330T")
    before = LogEntry.objects.filter(action=actions.VIEW).count()
    response = client.get("/consultazione/persone/R0003/")
    assert response.status_code == 403 and "KOWALSKA" not in response.content.decode()
    assert LogEntry.objects.filter(action=actions.VIEW).count() == before


def test_an_office_outside_the_agreement_reads_nothing(world: portal_world.World) -> None:
    client = Client()
    login(client, "agente_milano")
    assert client.get("/consultazione/").status_code == 403
    assert search(client, codice_fiscale="BNNMHM85C12Z330T").status_code == 403
    assert not LogEntry.objects.filter(action=actions.SEARCH).exists()


def test_the_supervisor_sees_the_read_and_filters_the_log(world: portal_world.World) -> None:
    agent = Client()
    login(agent, "agente")
    search(agent, codice_fiscale="BNNMHM85C12Z330T")
    agent.get("/consultazione/persone/R0001/")
    supervisor = Client()
    login(supervisor, "supervisore")
    page = supervisor.get("/registro/", {"record": "R0001", "azione": actions.VIEW})
    text = page.content.decode()
    assert page.status_code == 200 and "residente:R0001" in text and "agente" in text
    assert "PRAT/2026/0042" in text
    assert last(actions.LOG_READ)["query"]["filtri"] == {"azione": actions.VIEW, "record": "R0001"}
    empty = supervisor.get("/registro/", {"record": "R0003"}).content.decode()
    assert "residente:R0001" not in empty


def test_the_inspection_export_verifies_offline(world: portal_world.World, tmp_path: Path) -> None:
    import io
    import zipfile

    from interscambio.audit import log

    supervisor = Client()
    login(supervisor, "supervisore")
    log.sign_head()
    response = supervisor.get("/registro/esportazione/")
    assert response["Content-Type"] == "application/zip"
    folder = tmp_path / "ispezione"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    assert log.verify_files(folder).ok
    assert last(actions.EXPORT)["user"] == "supervisore"


def test_every_page_links_the_privacy_notice(world: portal_world.World) -> None:
    client = Client()
    for url in ("/", "/accesso/", "/privacy/"):
        assert 'href="/privacy/"' in client.get(url).content.decode()
    login(client, "agente")
    assert 'href="/privacy/"' in client.get("/consultazione/").content.decode()


def test_the_portal_speaks_english_on_request(world: portal_world.World) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accesso/").content.decode()
    assert 'lang="en"' in page and "Sign in to the portal" in page


def test_security_txt(world: portal_world.World, settings: Any) -> None:
    response = Client().get("/.well-known/security.txt")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert f"Contact: {settings.SECURITY_CONTACT}" in text and "Expires: " in text


def test_log_entries_name_no_one(world: portal_world.World) -> None:
    client = Client()
    login(client, "agente")
    search(client, codice_fiscale="BNNMHM85C12Z330T")
    client.get("/consultazione/persone/R0001/")
    for record in LogEntry.objects.values_list("record", flat=True):
        assert "BENNANI" not in record and "MOHAMMED" not in json.loads(record)["entry"]["user"]


def test_the_supervisor_sees_off_hours_reads_among_the_anomalies(
    world: portal_world.World,
) -> None:
    from datetime import datetime, timedelta

    from django.utils import timezone

    from interscambio.audit import log

    night = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=2), datetime.min.time())
    ) + timedelta(hours=3)
    for minute in range(3):
        log.append(
            actions.VIEW,
            user="nottambulo",
            office="Ufficio Immigrazione di Torino",
            role="consultatore_questura",
            purpose=PURPOSE,
            case_reference="PRAT/1",
            records=["residente:R0001"],
            at=night + timedelta(minutes=minute),
        )
    supervisor = Client()
    login(supervisor, "supervisore")
    page = supervisor.get("/registro/anomalie/").content.decode()
    section = page.split('id="h-hours"')[1].split("</section>")[0]
    assert "nottambulo" in section and "03:00" in section
    sheet = supervisor.get("/registro/anomalie/", {"formato": "csv"})
    assert sheet["Content-Type"].startswith("text/csv")
    lines = sheet.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("tipo;") and any(
        line.startswith("fuori_orario;") and "nottambulo" in line for line in lines
    )
    assert last(actions.EXPORT)["query"]["filtri"] == {"giorni": 30}


def test_every_portal_text_has_its_english_compiled() -> None:
    import gettext
    import re

    folder = (
        Path(__file__).resolve().parent.parent / "src/interscambio/portal/locale/en/LC_MESSAGES"
    )
    po = (folder / "django.po").read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n)+)', po, re.M)
    texts = {
        "".join(re.findall(r'"(.*)"', mid)): "".join(re.findall(r'"(.*)"', out))
        for mid, out in pairs
    }
    texts.pop("")
    untranslated = [mid for mid, out in texts.items() if not out]
    assert not untranslated
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    stale = [m for m in texts if "\\" not in m and catalog.gettext(m) == m and texts[m] != m]
    assert not stale, "run msgfmt: django.mo lags behind django.po"


def test_the_exchange_page_shows_alerts_calendars_outbox_and_receipts(
    world: portal_world.World,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from interscambio.exchange.models import Flow, Partner

    partner = Partner.objects.create(
        node_id="TO", name="Questura di Torino", since=timezone.localdate() - timedelta(days=80)
    )
    common = {"partner": partner, "flow_type": "anagrafe", "direction": "out"}
    Flow.objects.create(
        **common,
        sequence=1,
        sha256="1" * 64,
        state="acknowledged",
        payload="out/1",
        receipt='{"esito": "applicato"}',
        closed=timezone.now(),
    )
    Flow.objects.create(
        **common,
        sequence=2,
        sha256="2" * 64,
        state="rejected",
        payload="out/2",
        last_error="sequenza: atteso 2",
    )
    Flow.objects.create(**common, sequence=3, sha256="3" * 64, state="queued", payload="out/3",
                        attempts=2, last_error="connection refused")  # fmt: skip
    supervisor = Client()
    login(supervisor, "supervisore")
    page = supervisor.get("/scambio/")
    assert page.status_code == 200
    html = page.content.decode()
    alerts = html.split('id="h-alerts"')[1].split("</section>")[0]
    assert "anagrafe #2" in alerts and "sequenza: atteso 2" in alerts
    assert "permessi" in alerts and "in ritardo" in alerts  # the Questura's months never came
    outbox = html.split('id="h-outbox"')[1].split("</section>")[0]
    assert "anagrafe #3" in outbox and "connection refused" in outbox
    receipts = html.split('id="h-receipts"')[1].split("</section>")[0]
    assert "anagrafe #1" in receipts
    assert 'href="/scambio/"' in html  # in the supervisor's menu
    english = supervisor.get("/scambio/", headers={"Accept-Language": "en"}).content.decode()
    receipts = english.split('id="h-receipts"')[1].split("</section>")[0]
    assert "Latest receipts" in receipts and "acknowledged" in receipts
    assert "ricevuta positiva" not in english
    consultant = Client()
    login(consultant, "agente")
    assert consultant.get("/scambio/").status_code == 403


def test_the_questuras_own_staff_watch_its_exchange(
    world: portal_world.World, settings: Any
) -> None:
    from django.utils import timezone

    from interscambio.access import roles, rules
    from interscambio.access.models import Office
    from interscambio.exchange.models import Partner

    Partner.objects.create(node_id="001272", name="Comune di Torino", since=timezone.localdate())
    rules.grant(
        portal_world._user("ui_operatore"), Office.objects.get(code="UI-TO"),
        roles.QUESTURA_OPERATOR, since=portal_world.START, until=portal_world.END, by="test",
    )  # fmt: skip
    operator = Client()
    login(operator, "ui_operatore")
    assert operator.get("/scambio/").status_code == 403  # a Comune's node is not theirs
    assert 'href="/scambio/"' not in operator.get("/").content.decode()
    settings.NODE_ROLE, settings.NODE_ID = "questura", "TO"
    page = operator.get("/scambio/")
    assert page.status_code == 200
    assert [c.partner.node_id for c in page.context["calendars"]] == ["001272"]
    home = operator.get("/").content.decode()
    assert 'href="/scambio/"' in home and 'href="/lavoro/"' in home
    assert "Nessuna autorizzazione in vigore oggi" not in home
    admin = Client()
    login(admin, "admin_anagrafe")
    assert admin.get("/scambio/").status_code == 403  # the Comune's staff, on the Questura's
    supervisor = Client()
    login(supervisor, "supervisore")
    assert supervisor.get("/scambio/").status_code == 200
