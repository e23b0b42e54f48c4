# SPDX-License-Identifier: EUPL-1.2
"""The report of one quarter, built from the node's tables, and the audit entry of its use."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interscambio.audit import actions, log
from interscambio.report.figures import discrepancies, flows, oversight, residents
from interscambio.report.quarter import Quarter
from interscambio.report.tables import Report


def build(quarter: Quarter) -> Report:
    """Every section; those a node's role does not do are marked not applicable."""
    role = settings.NODE_ROLE
    comune = role == "comune"
    return Report(
        quarter=str(quarter),
        first_day=quarter.first_day.isoformat(),
        last_day=quarter.last_day.isoformat(),
        node=f"{settings.NODE_NAME} ({settings.NODE_ID})",
        role=role,
        generated=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        sections=(
            flows.section(quarter),
            discrepancies.section(quarter, role),
            residents.renewals(quarter, comune),
            residents.notices(quarter, comune),
            # The consultation platform and its log of reads are the Comune's.
            oversight.consultations(quarter, comune),
            oversight.anomalies(quarter, comune),
        ),
    )


def note(quarter: Quarter, how: str, *, user: str, office: str = "", role: str = "") -> None:
    """The access log's entry for a report viewed or exported: no personal data in it, but the
    supervisor's table sees who looked at what."""
    with transaction.atomic():
        log.append(
            actions.REPORT,
            user=user,
            office=office,
            role=role,
            query={"trimestre": str(quarter), "formato": how},
        )
