# SPDX-License-Identifier: EUPL-1.2
"""The access log as stored: each entry's canonical record and leaf hash, and the signed heads.

The columns beside `record` (who, office, role, action, purpose, case) repeat what the record
says so that a supervisor can filter without decoding every record; the record is the truth,
and `interscambio audit verify` checks it. Entries hold record ids, never names.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class LogEntry(models.Model):
    index = models.PositiveBigIntegerField(_("indice"), unique=True)
    at = models.DateTimeField(_("quando (UTC)"))
    user = models.CharField(_("utente"), max_length=150)
    office = models.CharField(_("ufficio"), max_length=100, blank=True)
    role = models.CharField(_("ruolo"), max_length=40, blank=True)
    action = models.CharField(_("azione"), max_length=40)
    purpose = models.CharField(_("finalità"), max_length=100, blank=True)
    case_reference = models.CharField(_("riferimento pratica"), max_length=100, blank=True)
    record = models.TextField(_("record canonico"))
    leaf_hash = models.CharField(_("hash foglia"), max_length=64)

    class Meta:
        verbose_name = _("voce del registro degli accessi")
        verbose_name_plural = _("registro degli accessi")
        ordering = ["index"]
        indexes = [
            models.Index(fields=["at"], name="audit_entry_at"),
            models.Index(fields=["user", "at"], name="audit_entry_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.index} {self.action} {self.user}"

    @property
    def entry(self) -> dict[str, Any]:
        """The entry as recorded (decoded from the canonical record, which is the truth)."""
        value = json.loads(self.record).get("entry", {})
        return value if isinstance(value, dict) else {}


class SignedTreeHead(models.Model):
    size = models.PositiveBigIntegerField(_("voci"))
    root_hash = models.CharField(_("radice"), max_length=64)
    signed_at = models.DateTimeField(_("firmata il"))
    token = models.TextField(_("JWS"))

    class Meta:
        verbose_name = _("testa firmata")
        verbose_name_plural = _("teste firmate")
        ordering = ["size", "signed_at"]

    def __str__(self) -> str:
        return f"{self.size} {self.root_hash[:12]}"


class Checkpoint(models.Model):
    """What the log keeps of the entries it pruned: a signed checkpoint at `size`, the first
    index kept then (core/auditlog/checkpoint.py). The token holds the frontier, the chain link
    and the consistency proofs; the other columns repeat it for reading. Never deleted: each
    one vouches for the previous, and the supervisor's older heads are checked against them."""

    size = models.PositiveBigIntegerField(_("voci potate"), unique=True)
    root_hash = models.CharField(_("radice"), max_length=64)
    signed_at = models.DateTimeField(_("firmato il"))
    cut_off = models.DateTimeField(_("voci anteriori a"))
    token = models.TextField(_("JWS"))

    class Meta:
        verbose_name = _("checkpoint del registro")
        verbose_name_plural = _("checkpoint del registro")
        ordering = ["size"]

    def __str__(self) -> str:
        return f"{self.size} {self.root_hash[:12]}"
