# SPDX-License-Identifier: EUPL-1.2
"""Loading the Questura's permit extract."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from interscambio.core.extracts import PERMITS
from interscambio.core.identity.codice_fiscale import provisional_check_digit
from interscambio.node.loading import LoadRefused
from interscambio.permits.loading import load_permits
from interscambio.permits.models import Permit
from tests import rows

pytestmark = pytest.mark.django_db

PROVISIONAL = "0123456789" + provisional_check_digit("0123456789")
WRONG_PROVISIONAL = PROVISIONAL[:10] + str((int(PROVISIONAL[10]) + 1) % 10)

BAD_PERMITS = [
    ("bad codice fiscale", {"codice_fiscale": "KFRCND88S03Z33"}, "codice_fiscale", "16 characters"),
    (
        "bad provisional code",
        {"codice_fiscale": WRONG_PROVISIONAL},
        "codice_fiscale",
        "check digit",
    ),
    ("impossible date", {"data_rilascio": "2024-02-30"}, "data_rilascio", "impossible date"),
    ("delivered before issue", {"data_consegna": "2024-02-01"}, "data_consegna", "before"),
    ("unknown reason", {"motivo": "turismo"}, "motivo", "unknown code 'turismo'"),
    ("unknown channel", {"canale": "email"}, "canale", "unknown code 'email'"),
    ("short kit number", {"numero_domanda": "12345"}, "numero_domanda", "10 letters or digits"),
    ("bad registered post", {"numero_raccomandata": "12AB"}, "numero_raccomandata", "12 digits"),
    ("bad citizenship", {"cittadinanza": "NG"}, "cittadinanza", "alpha-3"),
    ("bad ISTAT code", {"domicilio_codice_comune": "1272"}, "domicilio_codice_comune", "6-digit"),
    ("missing holder id", {"cui": ""}, "cui", "required, but empty"),
]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [case[1:] for case in BAD_PERMITS],
    ids=[case[0] for case in BAD_PERMITS],
)
def test_a_bad_permit_refuses_the_whole_file(
    tmp_path: Path, db: None, changes: dict[str, object], column: str, message: str
) -> None:
    path = rows.write(
        tmp_path / "permessi.csv", PERMITS, [rows.permit(1), rows.permit(2, **changes)]
    )
    with pytest.raises(LoadRefused) as refused:
        load_permits(path)
    (error,) = refused.value.checks[0].errors
    assert (error.line, error.record, error.field) == (3, "TO0000002", column)
    assert message in error.message
    assert not Permit.objects.exists()


def test_a_provisional_code_and_a_missing_code_are_accepted(tmp_path: Path, db: None) -> None:
    path = rows.write(
        tmp_path / "permessi.csv",
        PERMITS,
        [rows.permit(1, codice_fiscale=PROVISIONAL), rows.permit(2, codice_fiscale="")],
    )
    load_permits(path)
    assert dict(Permit.objects.values_list("number", "codice_fiscale")) == {
        "TO0000001": PROVISIONAL,
        "TO0000002": "",
    }


def test_renewals_are_chained_whatever_the_order_of_rows(tmp_path: Path, db: None) -> None:
    renewal = rows.permit(
        2,
        cui="C00000001",
        numero_permesso_precedente="TO0000001",
        data_domanda="2026-01-10",
        data_rilascio="2026-03-01",
        data_consegna="",
        data_scadenza="2028-02-29",
        stato="rilasciato",
    )
    old = rows.permit(1, stato="rinnovato")
    path = rows.write(tmp_path / "permessi.csv", PERMITS, [renewal, old])
    load_permits(path)
    new = Permit.objects.get(number="TO0000002")
    assert new.previous == Permit.objects.get(number="TO0000001")
    assert new.delivery_date is None
    assert new.domicile_address == "C.so Giulio Cesare 12/B"


def test_a_renewal_of_a_permit_not_in_the_extract_keeps_its_number(
    tmp_path: Path, db: None
) -> None:
    path = rows.write(
        tmp_path / "permessi.csv", PERMITS, [rows.permit(1, numero_permesso_precedente="XX123")]
    )
    load_permits(path)
    permit = Permit.objects.get()
    assert (permit.previous, permit.previous_number) == (None, "XX123")


def test_a_comune_node_refuses_to_load_permits(tmp_path: Path, db: None) -> None:
    path = rows.write(tmp_path / "permessi.csv", PERMITS, [rows.permit(1)])
    with pytest.raises(CommandError, match="belongs on a questura node"):
        call_command("permits", "load", str(path), "--quiet")
    assert not Permit.objects.exists()


def test_the_command_loads_on_a_questura_node(
    tmp_path: Path, db: None, settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.NODE_ROLE = "questura"  # type: ignore[attr-defined]
    path = rows.write(tmp_path / "permessi.csv", PERMITS, [rows.permit(1), rows.permit(2)])
    call_command("permits", "load", str(path), "--quiet")
    assert "permits: 2 new, 0 updated" in capsys.readouterr().out
    assert Permit.objects.count() == 2
