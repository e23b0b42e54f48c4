# SPDX-License-Identifier: EUPL-1.2
"""The verification API's rate limit: calls per client per minute, counted in the database.

One statement counts and reads the count (an upsert), so that every worker process of the
server shares the same count and two calls in the same instant are both counted. Counted in
the transaction of the call's answer, a refused call is not counted, and the count holds the
client's row until that answer is committed: calls of one client queue there, so the count
comes as late as it can. The verification API sends the upsert in the same
round trip as the access log's lock, just before its entry is written (`Count`).
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
    """The upsert that counts a call at `moment`, with its parameters."""
    minute = moment.replace(second=0, microsecond=0)
    return _UPSERT, [client_id, connection.ops.adapt_datetimefield_value(minute)]


def counted(client_id: str, calls: int, moment: datetime) -> int | None:
    """After the upsert: None while under the limit, else the seconds to wait (Retry-After)."""
    if calls == 1:
        # The first call of a minute clears the client's older minutes.
        minute = moment.replace(second=0, microsecond=0)
        CallCount.objects.filter(client_id=client_id, minute__lt=minute).delete()
    return 60 - moment.second if calls > settings.VERIFICATION_CALLS_PER_MINUTE else None


class Count:
    """A call counted as the access log's gate (`audit.log.Gate`): the upsert goes in the same
    round trip as the log's lock, so a client's calls queue in one place, not two, and a call
    over the limit is refused before its entry is written. `wait` is then set."""

    def __init__(self, client_id: str, now: datetime | None = None) -> None:
        self.client_id, self.moment = client_id, now or timezone.now()
        self.sql, self.params = statement(client_id, self.moment)
        self.wait: int | None = None

    def admits(self, row: tuple[Any, ...]) -> bool:
        self.wait = counted(self.client_id, int(row[0]), self.moment)
        return self.wait is None


def over(client_id: str, now: datetime | None = None) -> int | None:
    """Count this call on its own: None while under the limit, else the seconds to wait."""
    count = Count(client_id, now)
    with connection.cursor() as cursor:
        cursor.execute(count.sql, count.params)
        count.admits(cursor.fetchone())
    return count.wait
