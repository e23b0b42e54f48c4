# SPDX-License-Identifier: EUPL-1.2
"""Keys, certificates and the trust list: who may sign what this node accepts.

Each node signs with an EC P-256 key whose X.509 certificate names the node in the subject's
serialNumber. A partner is trusted by adding its certificate to the trust list; signatures and
tokens name the certificate by `kid`, the SHA-256 thumbprint of the certificate (`x5t#S256`), so
a verifier never needs anything from the signer but what it already trusts.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ORGANIZATION = "interscambio"
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class TrustError(Exception):
    """A key, certificate, signature or token this node refuses; the message says why."""


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515, section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The inverse of `b64url_encode`; ValueError on anything outside the alphabet."""
    # The standard decoder silently drops characters outside the alphabet: check first.
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def utc(moment: datetime | None) -> datetime:
    """`moment` (now if None) in UTC; a naive datetime is a programming error."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is needed, got a naive one")
    return moment.astimezone(UTC)


def generate_identity(
    node_id: str, name: str, *, days: int = 825, now: datetime | None = None
) -> tuple[bytes, bytes]:
    """A new P-256 key (PKCS#8 PEM, unencrypted) and its self-signed certificate (PEM).

    Good for tests and pilots; a real deployment may use a certificate issued by its CA instead.
    The validity starts five minutes early so that a partner whose clock is slightly behind
    accepts it at once."""
    if not node_id:
        raise ValueError("the node id is empty")
    start = utc(now)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, node_id),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - timedelta(minutes=5))
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate_pem(certificate)


def certificate_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_id(cert: x509.Certificate) -> str:
    """The certificate's `x5t#S256`: base64url of the SHA-256 of its DER bytes; also our `kid`."""
    return b64url_encode(hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest())


def certificate_node_id(cert: x509.Certificate) -> str:
    """The node a certificate speaks for: its subject's serialNumber."""
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if len(values) != 1 or not values[0].value:
        raise TrustError(
            f"the certificate of {cert.subject.rfc4514_string()!r} does not name its node: "
            "the subject must hold exactly one serialNumber, the node id"
        )
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8")


def public_key(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    """The certificate's key, which must be EC P-256 (the only curve ES256 uses)."""
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise TrustError(
            f"the certificate of {cert.subject.rfc4514_string()!r} does not hold an EC P-256 "
            "key: interscambio signs with ES256 only"
        )
    return key


def load_certificate(pem: bytes) -> x509.Certificate:
    """A PEM certificate usable by interscambio: EC P-256, node id in the serialNumber."""
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise TrustError(
            "this is not a PEM certificate (expected a file starting with "
            "-----BEGIN CERTIFICATE-----)"
        ) from None
    public_key(cert)
    certificate_node_id(cert)
    return cert


def check_validity(cert: x509.Certificate, at: datetime) -> None:
    """Refuse a certificate outside its validity period at the moment `at`."""
    moment = utc(at)
    node = certificate_node_id(cert)
    if moment < cert.not_valid_before_utc:
        raise TrustError(
            f"certificate of {node} (kid {key_id(cert)}) is not valid before "
            f"{when(cert.not_valid_before_utc)}, and this node's clock says {when(moment)}"
        )
    if moment > cert.not_valid_after_utc:
        raise TrustError(
            f"certificate of {node} (kid {key_id(cert)}) expired on "
            f"{when(cert.not_valid_after_utc)}: ask {node} for its new certificate"
        )


def when(moment: datetime) -> str:
    """A moment as people read it in messages."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class NodeIdentity:
    """This node's signing key and the certificate that names it."""

    node_id: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def kid(self) -> str:
        return key_id(self.certificate)


def load_identity(key_pem: bytes, cert_pem: bytes) -> NodeIdentity:
    """This node's key and certificate, checked to belong together."""
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as error:
        # TypeError: the key is encrypted. ValueError: not a key, or a malformed one.
        raise TrustError(f"the private key cannot be read ({error})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise TrustError("the private key is not an EC P-256 key: interscambio signs with ES256")
    cert = load_certificate(cert_pem)
    raw = serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    if key.public_key().public_bytes(*raw) != public_key(cert).public_bytes(*raw):
        raise TrustError(
            "the private key does not match the certificate: they come from different pairs"
        )
    return NodeIdentity(certificate_node_id(cert), key, cert)


class TrustList:
    """The partners' certificates this node trusts, by kid.

    A partner may have several (a new one during a key rotation): several kids can then map to
    the same node id."""

    def __init__(self, certificates: Iterable[x509.Certificate] = ()) -> None:
        self._by_kid: dict[str, x509.Certificate] = {}
        for cert in certificates:
            self.add(cert)

    def add(self, cert: x509.Certificate) -> None:
        public_key(cert)
        certificate_node_id(cert)
        self._by_kid[key_id(cert)] = cert

    def find(self, kid: str) -> x509.Certificate:
        try:
            return self._by_kid[kid]
        except KeyError:
            raise TrustError(
                f"signed by an unknown key (kid {kid}): add the partner's certificate with "
                "`interscambio keys trust`"
            ) from None

    def node_id_for(self, kid: str) -> str:
        return certificate_node_id(self.find(kid))

    def __contains__(self, kid: object) -> bool:
        return kid in self._by_kid

    def __iter__(self) -> Iterator[x509.Certificate]:
        return iter(self._by_kid.values())

    def __len__(self) -> int:
        return len(self._by_kid)
