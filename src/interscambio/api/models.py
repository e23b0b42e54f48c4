# SPDX-License-Identifier: EUPL-1.2
"""What the APIs remember between calls: assertions already used, and calls per minute."""

from __future__ import annotations

from django.db import models


class SeenAssertion(models.Model):
    """A client assertion's `jti`, kept until it expires: a second call with it is a replay."""

    client_id = models.CharField(max_length=64)
    jti = models.CharField(max_length=100)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "jti"], name="seen_assertion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.jti}"


class CallCount(models.Model):
    """Calls of one client in one minute, for the verification API's rate limit."""

    client_id = models.CharField(max_length=64)
    minute = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "minute"], name="call_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.minute:%Y-%m-%d %H:%M} {self.calls}"
