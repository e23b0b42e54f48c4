# SPDX-License-Identifier: EUPL-1.2
"""The verification API's rate limit: calls per client per minute, counted in the database.

One statement counts and reads the count (an upsert), so that every worker process of the
server shares the same count and two calls in the same instant are both counted. Counted in
the transaction of the call's answer, the count holds the client's row until that answer is
committed: a view counts as late as it can, just before it appends to the access log.
"""

from __future__ import annotations

from datetime import datetime

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


def count(client_id: str, now: datetime | None = None) -> tuple[int, int]:
    """This call counted: (calls in the current minute, seconds until the next minute)."""
    moment = now or timezone.now()
    minute = moment.replace(second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [client_id, connection.ops.adapt_datetimefield_value(minute)])
        (calls,) = cursor.fetchone()
        if calls == 1:
            # The first call of a minute clears the client's older minutes.
            CallCount.objects.filter(client_id=client_id, minute__lt=minute).delete()
    return calls, 60 - moment.second


def over(client_id: str, now: datetime | None = None) -> int | None:
    """None while under the limit, else the seconds to wait (for Retry-After)."""
    calls, wait = count(client_id, now)
    limit = settings.VERIFICATION_CALLS_PER_MINUTE
    return wait if calls > limit else None
