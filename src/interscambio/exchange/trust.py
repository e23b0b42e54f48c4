# SPDX-License-Identifier: EUPL-1.2
"""This node's signing identity (its key and certificate) and the trust list of its partners.

The key and certificate live in the data folder's `keys/`: `interscambio keys init` makes a
self-signed pair for a test or a pilot; a real deployment puts there the ones its CA issued.
Partners' certificates are kept in the database, one row per certificate (PartnerCertificate).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from interscambio.core.trust import (
    NodeIdentity,
    TrustError,
    TrustList,
    certificate_node_id,
    generate_identity,
    key_id,
    load_certificate,
    load_identity,
)
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.models import Partner, PartnerCertificate

KEY_FILE, CERTIFICATE_FILE = "node.key", "node.crt"


def keys_dir() -> Path:
    return settings.DATA_DIR / "keys"


def init_keys(*, force: bool = False, days: int = 825) -> Path:
    """Make this node's key and self-signed certificate; refuses to replace them unless `force`."""
    folder = keys_dir()
    key_path, cert_path = folder / KEY_FILE, folder / CERTIFICATE_FILE
    if key_path.exists() and not force:
        raise ExchangeError(
            f"{key_path} exists already: this node has a key. Use --force to replace it "
            "(partners must then trust the new certificate)."
        )
    key_pem, cert_pem = generate_identity(settings.NODE_ID, settings.NODE_NAME, days=days)
    folder.mkdir(parents=True, exist_ok=True)
    partial = key_path.with_suffix(".partial")
    partial.touch(mode=0o600)
    partial.chmod(0o600)
    partial.write_bytes(key_pem)
    partial.replace(key_path)
    cert_path.write_bytes(cert_pem)
    return cert_path


def node_identity() -> NodeIdentity:
    folder = keys_dir()
    try:
        key_pem = (folder / KEY_FILE).read_bytes()
        cert_pem = (folder / CERTIFICATE_FILE).read_bytes()
    except FileNotFoundError:
        raise ExchangeError(
            f"this node has no signing key in {folder}: run `interscambio keys init` "
            "(or put there the node.key and node.crt your CA issued)"
        ) from None
    try:
        identity = load_identity(key_pem, cert_pem)
    except TrustError as error:
        raise ExchangeError(f"the key in {folder} cannot be used: {error}") from None
    if identity.node_id != settings.NODE_ID:
        raise ExchangeError(
            f"the certificate in {folder} is for node {identity.node_id!r}, "
            f"this node is {settings.NODE_ID!r}"
        )
    return identity


def trust_list(partner: Partner | None = None) -> TrustList:
    """The certificates of one partner, or of all active partners."""
    rows = PartnerCertificate.objects.filter(partner__active=True)
    if partner is not None:
        rows = rows.filter(partner=partner)
    return TrustList(load_certificate(row.pem.encode()) for row in rows)


@transaction.atomic
def trust_certificate(pem: bytes) -> tuple[Partner, PartnerCertificate, bool]:
    """Add a partner's certificate to the trust list; the partner must exist already."""
    try:
        certificate = load_certificate(pem)
    except TrustError as error:
        raise ExchangeError(str(error)) from None
    node_id = certificate_node_id(certificate)
    partner = Partner.objects.filter(node_id=node_id).first()
    if partner is None:
        raise ExchangeError(
            f"the certificate is for node {node_id!r}, which is not a partner of this node: "
            f"add it first with `interscambio partner add {node_id} ...`"
        )
    row, created = PartnerCertificate.objects.get_or_create(
        kid=key_id(certificate),
        defaults={
            "partner": partner,
            "pem": pem.decode("ascii"),
            "not_after": certificate.not_valid_after_utc,
        },
    )
    return partner, row, created
