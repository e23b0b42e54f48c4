# SPDX-License-Identifier: EUPL-1.2
"""The consultation's search and the verification answer, below the portal and the API."""

from __future__ import annotations

from datetime import date

import pytest

from interscambio.consultation import reads
from interscambio.consultation.purposes import PurposeError
from interscambio.consultation.search import QueryError, find, query
from interscambio.registry.models import Resident
from interscambio.verification.answer import verify
from tests import portal_world


def ids(surname: str, given: str, born: str) -> list[str]:
    return [r.registry_id for r in find(query("", surname, given, born))[0]]


@pytest.mark.parametrize(
    "surname, given",
    [
        ("BENNANI", "MOHAMMED"),
        ("Bennani", "Mohamed"),
        ("Benani", "Muhammad"),
        ("Bennâni", "Mohammed Ali"),
        ("MOHAMMED", "BENNANI"),  # the fields written the other way round
    ],
)
def test_a_name_is_found_whatever_its_romanization(
    world: portal_world.World, surname: str, given: str
) -> None:
    assert ids(surname, given, "1985-03-12") == ["R0001"]


def test_a_name_is_not_found_on_another_birth_date_or_another_name(
    world: portal_world.World,
) -> None:
    assert ids("BENNANI", "MOHAMMED", "1985-03-13") == []
    assert ids("BENNANI", "YOUSSEF", "1985-03-12") == []
    assert ids("KOWALSKI", "MOHAMMED", "1985-03-12") == []


def test_the_exact_spelling_comes_first(world: portal_world.World) -> None:
    twin = Resident.objects.get(registry_id="R0001")
    twin.pk, twin.registry_id, twin.given_names = None, "R0009", "MUHAMMAD"
    twin.save()
    assert ids("BENNANI", "MUHAMMAD", "1985-03-12") == ["R0009", "R0001"]


@pytest.mark.parametrize(
    "arguments, field",
    [
        (("BNNMHM85C12Z33", "", "", ""), "codice_fiscale"),
        (("", "", "MOHAMMED", "1985-03-12"), "cognome"),
        (("", "BENNANI", "", "1985-03-12"), "nome"),
        (("", "BENNANI", "MOHAMMED", ""), "data_nascita"),
        (("", "BENNANI", "MOHAMMED", "12/03/1985"), "data_nascita"),
    ],
)
def test_a_bad_query_names_its_field(arguments: tuple[str, ...], field: str) -> None:
    with pytest.raises(QueryError) as error:
        query(*arguments)
    assert error.value.field == field


def test_a_read_needs_a_consulting_role_and_a_purpose(world: portal_world.World) -> None:
    q = query("BNNMHM85C12Z330T")
    with pytest.raises(reads.NotAllowed):
        reads.search(reads.Reader("s", "Prefettura", "supervisore_prefettura"), q, "x", "y")
    reader = reads.Reader("a", "UI", "consultatore_questura")
    with pytest.raises(PurposeError, match="purpose"):
        reads.search(reader, q, "", "PRAT-1")
    with pytest.raises(PurposeError, match="case reference"):
        reads.search(reader, q, "rinnovo_permesso", "x")
    with pytest.raises(reads.NotFound):
        reads.view(reader, "R9999", "rinnovo_permesso", "PRAT-1")


def test_a_permit_without_expiry_covers_every_day_from_its_issue(world: portal_world.World) -> None:
    Resident.objects.filter(registry_id="R0001").update(
        title_kind="2", title_issue_date=date(2024, 2, 1), title_expiry_date=None
    )
    assert verify("BNNMHM85C12Z330T", date(2040, 1, 1)).permit_valid is True
    assert verify("BNNMHM85C12Z330T", date(2040, 1, 1)).expiry is None
    assert verify("BNNMHM85C12Z330T", date(2024, 1, 31)).permit_valid is False


def test_a_cancelled_resident_is_resident_only_before_the_cancellation(
    world: portal_world.World,
) -> None:
    Resident.objects.filter(registry_id="R0001").update(
        status="cancellato", cancellation_date=date(2025, 3, 1), cancellation_reason="3"
    )
    assert verify("BNNMHM85C12Z330T", date(2025, 2, 28)).resident is True
    assert verify("BNNMHM85C12Z330T", date(2025, 3, 1)).resident is False
