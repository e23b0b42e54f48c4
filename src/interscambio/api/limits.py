# SPDX-License-Identifier: EUPL-1.2
"""The verification API's rate limit: calls per client per minute, counted in the database.

One statement counts and reads the count (an upsert), so that every worker process of the
server shares the same count and two calls in the same instant are both counted. Counted in
the transaction of the call's answer, a refused call is not counted, and the count holds the
client's row until that answer is committed: calls of one client queue there, as every call
queues on the access log's append anyway. The verification API sends the upsert in the same
round trip as its assertion's anti-replay insert (`clients.authenticate`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from interscambio.api.models import CallCount

_TABLE = CallCount._meta.db_table
# The table name is the model's own, never input.
_UPSERT = (
    f"INSERT INTO {_TABLE} (client_id, minute, calls) VALUES (%s, %s, 1) "  # noqa: S608
    f"ON CONFLICT (client_id, minute) DO UPDATE SET calls = {_TABLE}.calls + 1 RETURNING calls"
)


def statement(client_id: str, moment: datetime) -> tuple[str, list[Any]]:
    """The upsert that counts a call at `moment`, with its parameters, for a caller that sends it
    together with its own statement (`clients.authenticate`)."""
    minute = moment.replace(second=0, microsecond=0)
    return _UPSERT, [client_id, connection.ops.adapt_datetimefield_value(minute)]


def counted(client_id: str, calls: int, moment: datetime) -> int | None:
    """After the upsert: None while under the limit, else the seconds to wait (Retry-After)."""
    if calls == 1:
        # The first call of a minute clears the client's older minutes.
        minute = moment.replace(second=0, microsecond=0)
        CallCount.objects.filter(client_id=client_id, minute__lt=minute).delete()
    return 60 - moment.second if calls > settings.VERIFICATION_CALLS_PER_MINUTE else None


def over(client_id: str, now: datetime | None = None) -> int | None:
    """Count this call: None while under the limit, else the seconds to wait."""
    moment = now or timezone.now()
    sql, parameters = statement(client_id, moment)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        (calls,) = cursor.fetchone()
    return counted(client_id, calls, moment)
