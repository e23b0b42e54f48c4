# SPDX-License-Identifier: EUPL-1.2
"""The trust layer: keys and certificates, detached flow signatures, ModI-style tokens.

Keys are generated at test time; the JOSE formats are cross-checked against jwcrypto, an
independent implementation a partner could use."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st
from jwcrypto import jwk, jws, jwt

from interscambio.core.trust import (
    NodeIdentity,
    TrustError,
    TrustList,
    certificate_node_id,
    certificate_pem,
    check_validity,
    client_assertion,
    digest_header,
    digest_of_file,
    generate_identity,
    integrity_token,
    key_id,
    load_certificate,
    load_identity,
    sign_detached,
    sign_file,
    verify_detached,
    verify_file,
    verify_integrity,
    verify_token,
)
from interscambio.core.trust.jws import sign_digest
from interscambio.core.trust.keys import b64url_decode, b64url_encode

PAYLOAD = b'{"versione":"1","tipo":"anagrafe","mittente":"001272"}\n{"idRecord":"E1"}\n'
NOW = datetime(2026, 10, 16, 2, 0, tzinfo=UTC)
AUDIENCE = "https://questura-to.example/interscambio"
NDJSON = "application/x-ndjson"


def identity(node_id: str, name: str, **options: Any) -> NodeIdentity:
    return load_identity(*generate_identity(node_id, name, **options))


# Valid from before NOW, the fixed moment of the token tests, until long after the real now.
LONG = {"now": NOW - timedelta(days=1), "days": 36500}


@pytest.fixture(scope="module")
def comune() -> NodeIdentity:
    return identity("001272", "Comune di Torino", **LONG)


@pytest.fixture(scope="module")
def questura() -> NodeIdentity:
    return identity("TO", "Questura di Torino", **LONG)


@pytest.fixture
def trusted(comune: NodeIdentity) -> TrustList:
    return TrustList([comune.certificate])


def split(data: bytes, size: int) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def replace_header(signature: str, **changes: Any) -> str:
    protected, payload, sig = signature.split(".")
    header = json.loads(b64url_decode(protected))
    header.update(changes)
    header = {k: v for k, v in header.items() if v is not None}
    return ".".join([b64url_encode(json.dumps(header).encode()), payload, sig])


def forge(key: ec.EllipticCurvePrivateKey, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A JWT made by jwcrypto, with whatever header and claims a test needs."""
    token = jwt.JWT(header=header, claims=claims)
    token.make_signed_token(jwk.JWK.from_pyca(key))
    return str(token.serialize())


def good_claims(node_id: str, now: datetime = NOW) -> dict[str, Any]:
    t = int(now.timestamp())
    return {
        "iss": node_id,
        "sub": node_id,
        "aud": AUDIENCE,
        "jti": "a3f1",
        "iat": t,
        "nbf": t,
        "exp": t + 300,
    }


def token_header(identity: NodeIdentity) -> dict[str, Any]:
    return {"alg": "ES256", "typ": "JWT", "kid": identity.kid, "x5t#S256": identity.kid}


# Keys and certificates


def test_a_generated_identity_loads_with_its_node_id_and_kid(comune: NodeIdentity) -> None:
    cert = comune.certificate
    der = cert.public_bytes(serialization.Encoding.DER)
    expected_kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert comune.node_id == "001272"
    assert certificate_node_id(cert) == "001272"
    assert comune.kid == key_id(cert) == expected_kid
    assert len(comune.kid) == 43
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Comune di Torino"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
        "interscambio"
    )
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert isinstance(comune.key.curve, ec.SECP256R1)


def test_the_certificate_is_valid_from_five_minutes_before_for_the_days_asked() -> None:
    _, cert_pem = generate_identity("TO", "Questura di Torino", days=30, now=NOW)
    cert = load_certificate(cert_pem)
    assert cert.not_valid_before_utc == NOW - timedelta(minutes=5)
    assert cert.not_valid_after_utc == NOW + timedelta(days=30)


def test_the_key_is_unencrypted_pkcs8_and_the_certificate_pem_round_trips() -> None:
    key_pem, cert_pem = generate_identity("TO", "Questura di Torino")
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert certificate_pem(load_certificate(cert_pem)) == cert_pem


def test_a_key_that_does_not_match_the_certificate_is_refused() -> None:
    key_pem, _ = generate_identity("TO", "Questura di Torino")
    _, other_cert_pem = generate_identity("TO", "Questura di Torino")
    with pytest.raises(TrustError, match="does not match the certificate"):
        load_identity(key_pem, other_cert_pem)


def test_a_key_on_another_curve_is_refused() -> None:
    _, cert_pem = generate_identity("TO", "Questura di Torino")
    key_pem = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(TrustError, match="not an EC P-256 key"):
        load_identity(key_pem, cert_pem)


def self_signed(key: ec.EllipticCurvePrivateKey, subject: x509.Name) -> bytes:
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_a_certificate_without_a_serial_number_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = self_signed(key, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Questura")]))
    with pytest.raises(TrustError, match="serialNumber"):
        load_certificate(pem)


def test_a_ca_issued_looking_certificate_with_the_node_id_is_accepted() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ministero dell'Interno"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "TO"),
        ]
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert load_identity(key_pem, self_signed(key, subject)).node_id == "TO"


def test_a_certificate_on_another_curve_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    pem = self_signed(key, x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, "TO")]))
    with pytest.raises(TrustError, match="EC P-256"):
        load_certificate(pem)


@pytest.mark.parametrize(
    "pem",
    [b"", b"garbage", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
)
def test_garbage_is_not_a_certificate(pem: bytes) -> None:
    with pytest.raises(TrustError, match="not a PEM certificate"):
        load_certificate(pem)


def test_garbage_is_not_a_key() -> None:
    _, cert_pem = generate_identity("TO", "Questura di Torino")
    with pytest.raises(TrustError, match="private key cannot be read"):
        load_identity(b"garbage", cert_pem)


def test_an_encrypted_key_is_refused_with_a_reason() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    _, cert_pem = generate_identity("TO", "Questura di Torino")
    with pytest.raises(TrustError, match="private key cannot be read"):
        load_identity(key_pem, cert_pem)


def test_a_partner_with_two_certificates_has_two_kids_for_one_node() -> None:
    old, new = identity("TO", "Questura di Torino"), identity("TO", "Questura di Torino")
    trusted = TrustList([old.certificate])
    trusted.add(new.certificate)
    assert len(trusted) == 2
    assert old.kid != new.kid
    assert trusted.node_id_for(old.kid) == trusted.node_id_for(new.kid) == "TO"
    assert trusted.find(new.kid) == new.certificate
    for signer in (old, new):
        assert verify_detached(sign_detached(signer, [PAYLOAD]), [PAYLOAD], trusted).kid == (
            signer.kid
        )


def test_an_unknown_kid_is_refused_with_the_command_to_trust_it(trusted: TrustList) -> None:
    with pytest.raises(TrustError, match=r"unknown key \(kid abc\).*interscambio keys trust"):
        trusted.find("abc")
    assert "abc" not in trusted


def test_validity_is_checked_at_the_moment_given() -> None:
    _, cert_pem = generate_identity("TO", "Questura di Torino", days=10, now=NOW)
    cert = load_certificate(cert_pem)
    check_validity(cert, NOW + timedelta(days=9))
    with pytest.raises(TrustError, match="expired on 2026-10-26"):
        check_validity(cert, NOW + timedelta(days=11))
    with pytest.raises(TrustError, match="not valid before 2026-10-16 01:55:00 UTC"):
        check_validity(cert, NOW - timedelta(hours=1))


# Detached signatures


def test_a_signature_verifies_and_names_the_signer(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    signature = sign_detached(comune, [PAYLOAD])
    protected, middle, sig = signature.split(".")
    verified = verify_detached(signature, [PAYLOAD], trusted)
    assert middle == ""
    assert len(b64url_decode(sig)) == 64
    assert verified.node_id == "001272"
    assert verified.kid == comune.kid
    assert verified.header == {
        "alg": "ES256",
        "b64": False,
        "crit": ["b64"],
        "kid": comune.kid,
        "x5t#S256": comune.kid,
        "typ": "JOSE",
    }
    assert json.loads(b64url_decode(protected)) == verified.header


@given(st.binary(max_size=3000), st.integers(1, 700), st.integers(1, 700))
def test_the_chunking_does_not_matter(
    comune: NodeIdentity, payload: bytes, sign_size: int, verify_size: int
) -> None:
    trusted = TrustList([comune.certificate])
    signature = sign_detached(comune, split(payload, sign_size))
    assert verify_detached(signature, split(payload, verify_size), trusted).node_id == "001272"
    assert verify_detached(signature, [payload], trusted).node_id == "001272"
    assert verify_detached(signature, payload, trusted).node_id == "001272"


def test_extra_header_members_are_signed_and_returned(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    signature = sign_detached(comune, [PAYLOAD], {"flow": "anagrafe", "sequenza": 3})
    header = verify_detached(signature, [PAYLOAD], trusted).header
    assert header["flow"] == "anagrafe"
    assert header["sequenza"] == 3
    with pytest.raises(TrustError, match="does not match"):
        verify_detached(replace_header(signature, sequenza=4), [PAYLOAD], trusted)


@pytest.mark.parametrize("name", ["alg", "b64", "crit", "kid", "x5t#S256", "typ"])
def test_extra_header_members_may_not_replace_the_fixed_ones(
    comune: NodeIdentity, name: str
) -> None:
    with pytest.raises(ValueError, match=name):
        sign_detached(comune, [PAYLOAD], {name: "x"})


def test_any_flipped_byte_is_refused(comune: NodeIdentity, trusted: TrustList) -> None:
    signature = sign_detached(comune, [PAYLOAD])
    for i in range(len(PAYLOAD)):
        altered = bytearray(PAYLOAD)
        altered[i] ^= 0x01
        with pytest.raises(TrustError, match="the bytes were altered after signing"):
            verify_detached(signature, [bytes(altered)], trusted)


@pytest.mark.parametrize(
    "payload", [PAYLOAD[:-1], PAYLOAD[1:], b"", PAYLOAD + b"\n", PAYLOAD + PAYLOAD]
)
def test_a_truncated_or_padded_payload_is_refused(
    comune: NodeIdentity, trusted: TrustList, payload: bytes
) -> None:
    signature = sign_detached(comune, [PAYLOAD])
    with pytest.raises(TrustError, match="does not match"):
        verify_detached(signature, [payload], trusted)


def test_a_signature_by_an_unknown_key_names_the_kid(
    questura: NodeIdentity, trusted: TrustList
) -> None:
    signature = sign_detached(questura, [PAYLOAD])
    with pytest.raises(TrustError, match=rf"unknown key \(kid {questura.kid}\)"):
        verify_detached(signature, [PAYLOAD], trusted)


def test_a_signature_by_another_key_under_a_trusted_kid_is_refused(
    comune: NodeIdentity, questura: NodeIdentity, trusted: TrustList
) -> None:
    impostor = NodeIdentity("001272", questura.key, comune.certificate)
    with pytest.raises(TrustError, match="does not match"):
        verify_detached(sign_detached(impostor, [PAYLOAD]), [PAYLOAD], trusted)


def test_an_expired_certificate_is_refused_unless_checked_when_it_was_valid() -> None:
    old = identity("TO", "Questura di Torino", days=30, now=datetime.now(UTC) - timedelta(days=60))
    trusted = TrustList([old.certificate])
    signature = sign_detached(old, [PAYLOAD])
    with pytest.raises(TrustError, match=r"certificate of TO .* expired on"):
        verify_detached(signature, [PAYLOAD], trusted)
    at = datetime.now(UTC) - timedelta(days=45)
    assert verify_detached(signature, [PAYLOAD], trusted, at=at).node_id == "TO"


def test_a_certificate_not_yet_valid_is_refused() -> None:
    future = identity("TO", "Questura di Torino", now=datetime.now(UTC) + timedelta(days=2))
    trusted = TrustList([future.certificate])
    signature = sign_detached(future, [PAYLOAD])
    with pytest.raises(TrustError, match="not valid before"):
        verify_detached(signature, [PAYLOAD], trusted)
    at = datetime.now(UTC) + timedelta(days=3)
    assert verify_detached(signature, [PAYLOAD], trusted, at=at).node_id == "TO"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"alg": "none"}, "algorithm 'none'"),
        ({"alg": "HS256"}, "algorithm 'HS256'"),
        ({"alg": None}, "algorithm None"),
        ({"b64": True}, '"b64": false'),
        ({"b64": None}, '"b64": false'),
        ({"b64": "false"}, '"b64": false'),
        ({"crit": None}, '"crit": \\["b64"\\]'),
        ({"crit": []}, '"crit": \\["b64"\\]'),
        ({"crit": "b64"}, '"crit": \\["b64"\\]'),
        ({"crit": ["b64", "exp"]}, "critical members not understood: \\['exp'\\]"),
        ({"kid": None}, "has no kid"),
        ({"kid": ""}, "has no kid"),
        ({"x5t#S256": "other"}, "x5t#S256 \\(other\\) other than its kid"),
        ({"kid": "other", "x5t#S256": None}, r"unknown key \(kid other\)"),
        ({"typ": "JWT"}, "does not match"),
    ],
)
def test_a_tampered_header_is_refused(
    comune: NodeIdentity, trusted: TrustList, changes: dict[str, Any], message: str
) -> None:
    signature = sign_detached(comune, [PAYLOAD])
    with pytest.raises(TrustError, match=message):
        verify_detached(replace_header(signature, **changes), [PAYLOAD], trusted)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda s: "", "there is no signature"),
        (lambda s: "   ", "there is no signature"),
        (lambda s: s.replace("..", "."), "three parts separated by dots, this signature has 2"),
        (lambda s: s + ".x", "this signature has 4"),
        (lambda s: s.replace("..", ".UEFZTE9BRA."), "middle part is not empty"),
        (lambda s: "!!!" + s, "header is not base64url-encoded JSON"),
        (lambda s: "bm90IGpzb24" + s[s.index(".") :], "header is not base64url-encoded JSON"),
        (lambda s: "WzFd" + s[s.index(".") :], "header is not a JSON object"),
        (lambda s: s[:-4], "the signature is 61 bytes long, an ES256 signature is 64"),
        (lambda s: s + "AAAA", "67 bytes long"),
        (lambda s: s[:-2] + "*A", "last part is not base64url"),
    ],
)
def test_a_malformed_signature_is_refused_clearly(
    comune: NodeIdentity, trusted: TrustList, mangle: Any, message: str
) -> None:
    signature = sign_detached(comune, [PAYLOAD])
    verify_detached(signature, [PAYLOAD], trusted)
    with pytest.raises(TrustError, match=message):
        verify_detached(mangle(signature), [PAYLOAD], trusted)


def test_a_signature_made_here_verifies_with_jwcrypto(comune: NodeIdentity) -> None:
    signature = sign_detached(comune, split(PAYLOAD, 7), {"flow": "anagrafe"})
    key = jwk.JWK.from_pyca(comune.certificate.public_key())
    token = jws.JWS()
    token.deserialize(signature)
    token.verify(key, detached_payload=PAYLOAD)
    assert token.is_valid
    assert token.jose_header["x5t#S256"] == comune.kid
    other = jws.JWS()
    other.deserialize(signature)
    with pytest.raises(jws.InvalidJWSSignature):
        other.verify(key, detached_payload=PAYLOAD + b" ")


def test_a_signature_made_by_jwcrypto_verifies_here(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    header = {
        "alg": "ES256",
        "b64": False,
        "crit": ["b64"],
        "kid": comune.kid,
        "x5t#S256": comune.kid,
        "typ": "JOSE",
    }
    token = jws.JWS(PAYLOAD)
    token.add_signature(jwk.JWK.from_pyca(comune.key), protected=json.dumps(header))
    token.detach_payload()
    signature = token.serialize(compact=True)
    assert signature.split(".")[1] == ""
    assert verify_detached(signature, split(PAYLOAD, 5), trusted).header == header
    with pytest.raises(TrustError, match="does not match"):
        verify_detached(signature, [PAYLOAD[:-1]], trusted)


def test_a_file_of_several_megabytes_is_signed_and_verified(
    tmp_path: Path, comune: NodeIdentity, trusted: TrustList
) -> None:
    path = tmp_path / "flow.ndjson"
    data = os.urandom(5 * 1024 * 1024 + 123)
    path.write_bytes(data)
    signature = sign_file(comune, path)
    assert verify_file(signature, path, trusted).node_id == "001272"
    assert verify_detached(signature, split(data, 65536), trusted).node_id == "001272"
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 0x80]))
    with pytest.raises(TrustError, match="the bytes were altered after signing"):
        verify_file(signature, path, trusted)


# Tokens


def test_the_digest_header_is_base64_sha256() -> None:
    assert digest_header([b"abc"]) == "SHA-256=ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    assert digest_header([b"a", b"", b"bc"]) == digest_header([b"abc"])
    assert digest_header([]) == "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_the_digest_of_a_file_is_that_of_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "body.bin"
    data = os.urandom(3 * 1024 * 1024)
    path.write_bytes(data)
    assert digest_of_file(path) == digest_header([data])


def test_a_client_assertion_verifies(comune: NodeIdentity, trusted: TrustList) -> None:
    token = client_assertion(comune, AUDIENCE, now=NOW)
    verified = verify_token(token, trusted, audience=AUDIENCE, now=NOW + timedelta(minutes=1))
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header == {"alg": "ES256", "typ": "JWT", "kid": comune.kid, "x5t#S256": comune.kid}
    assert verified.node_id == "001272"
    assert verified.expires == NOW + timedelta(minutes=5)
    assert verified.jti == verified.claims["jti"]
    assert len(verified.jti) == 36
    t = int(NOW.timestamp())
    assert {k: v for k, v in verified.claims.items() if k != "jti"} == {
        "iss": "001272",
        "sub": "001272",
        "aud": AUDIENCE,
        "iat": t,
        "nbf": t,
        "exp": t + 300,
    }


def test_every_token_has_its_own_jti(comune: NodeIdentity, trusted: TrustList) -> None:
    jtis = {
        verify_token(client_assertion(comune, AUDIENCE), trusted, audience=AUDIENCE).jti
        for _ in range(5)
    }
    assert len(jtis) == 5


def test_a_token_made_here_verifies_with_jwcrypto(comune: NodeIdentity) -> None:
    token = integrity_token(comune, AUDIENCE, digest=digest_header([PAYLOAD]), content_type=NDJSON)
    key = jwk.JWK.from_pyca(comune.certificate.public_key())
    checked = jwt.JWT(jwt=token, key=key, check_claims={"aud": AUDIENCE, "iss": "001272"})
    claims = json.loads(checked.claims)
    assert claims["signed_headers"] == [
        {"digest": digest_header([PAYLOAD])},
        {"content-type": NDJSON},
    ]


def test_a_token_for_another_audience_is_refused(comune: NodeIdentity, trusted: TrustList) -> None:
    token = client_assertion(comune, "https://other.example", now=NOW)
    with pytest.raises(TrustError, match=r"token addressed to 'https://other\.example', this node"):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


def test_an_audience_list_holding_this_node_is_accepted(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    claims = good_claims("001272") | {"aud": ["https://other.example", AUDIENCE]}
    token = forge(comune.key, token_header(comune), claims)
    assert verify_token(token, trusted, audience=AUDIENCE, now=NOW).node_id == "001272"
    with pytest.raises(TrustError, match="token addressed to"):
        verify_token(token, trusted, audience="https://third.example", now=NOW)


@pytest.mark.parametrize("skew", [timedelta(minutes=3), timedelta(minutes=-3), timedelta(0)])
def test_a_partner_clock_a_few_minutes_apart_is_tolerated(
    comune: NodeIdentity, trusted: TrustList, skew: timedelta
) -> None:
    token = client_assertion(comune, AUDIENCE, now=NOW + skew)
    assert verify_token(token, trusted, audience=AUDIENCE, now=NOW).node_id == "001272"


def test_a_partner_clock_ten_minutes_ahead_is_refused(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    token = client_assertion(comune, AUDIENCE, now=NOW + timedelta(minutes=10))
    with pytest.raises(TrustError, match="issued at 2026-10-16 02:10:00 UTC, in the future"):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


def test_a_token_not_valid_yet_is_refused(comune: NodeIdentity, trusted: TrustList) -> None:
    claims = good_claims("001272") | {"nbf": int(NOW.timestamp()) + 600}
    token = forge(comune.key, token_header(comune), claims)
    with pytest.raises(TrustError, match="not valid before 2026-10-16 02:10:00 UTC"):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


def test_a_token_expired_within_the_tolerance_is_accepted_beyond_it_refused(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    token = client_assertion(comune, AUDIENCE, now=NOW)  # expires at NOW + 5 min
    late = NOW + timedelta(minutes=8)
    assert verify_token(token, trusted, audience=AUDIENCE, now=late).jti
    with pytest.raises(
        TrustError,
        match=(
            r"the token expired at 2026-10-16 02:05:00 UTC \(this node's clock says "
            r"2026-10-16 02:15:00 UTC, tolerance 5 min\)"
        ),
    ):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW + timedelta(minutes=15))


# A partner's clock at exactly the tolerance is accepted, one second beyond it refused, on each
# side: iat and nbf (the partner ahead), exp (the partner behind, or a token kept too long).
@pytest.mark.parametrize(
    ("claims", "accepted", "refusal"),
    [
        ({"iat": 300, "nbf": 300, "exp": 600}, True, ""),
        ({"iat": 301, "nbf": 0, "exp": 600}, False, "issued at 2026-10-16 02:05:01 UTC"),
        ({"iat": 0, "nbf": 300, "exp": 600}, True, ""),
        ({"iat": 0, "nbf": 301, "exp": 600}, False, "not valid before 2026-10-16 02:05:01 UTC"),
        ({"iat": -600, "nbf": -600, "exp": -300}, True, ""),
        ({"iat": -600, "nbf": -600, "exp": -301}, False, "expired at 2026-10-16 01:54:59 UTC"),
    ],
)
def test_the_clock_tolerance_holds_to_the_second_on_both_sides(
    comune: NodeIdentity,
    trusted: TrustList,
    claims: dict[str, int],
    accepted: bool,
    refusal: str,
) -> None:
    t = int(NOW.timestamp())
    moments = {name: t + offset for name, offset in claims.items()}
    token = forge(comune.key, token_header(comune), good_claims("001272") | moments)
    if accepted:
        assert verify_token(token, trusted, audience=AUDIENCE, now=NOW).node_id == "001272"
        return
    with pytest.raises(TrustError, match=rf"{refusal}.*tolerance 5 min"):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


def test_the_tolerance_can_be_narrowed(comune: NodeIdentity, trusted: TrustList) -> None:
    token = client_assertion(comune, AUDIENCE, now=NOW)
    late = NOW + timedelta(minutes=6)
    verify_token(token, trusted, audience=AUDIENCE, now=late)
    with pytest.raises(TrustError, match="tolerance 30 s"):
        verify_token(token, trusted, audience=AUDIENCE, now=late, leeway=timedelta(seconds=30))


def test_a_token_signed_by_an_untrusted_key_is_refused(
    questura: NodeIdentity, trusted: TrustList
) -> None:
    token = client_assertion(questura, AUDIENCE, now=NOW)
    with pytest.raises(TrustError, match=rf"unknown key \(kid {questura.kid}\)"):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


def test_a_token_signed_with_an_expired_certificate_is_refused() -> None:
    old = identity("TO", "Questura di Torino", days=30, now=NOW - timedelta(days=60))
    trusted = TrustList([old.certificate])
    token = client_assertion(old, AUDIENCE, now=NOW)
    with pytest.raises(TrustError, match=r"certificate of TO .* expired on 2026-09-16"):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)
    early = client_assertion(old, AUDIENCE, now=NOW - timedelta(days=50))
    assert verify_token(early, trusted, audience=AUDIENCE, now=NOW - timedelta(days=50)).jti


def test_a_token_signed_by_another_key_under_a_trusted_kid_is_refused(
    comune: NodeIdentity, questura: NodeIdentity, trusted: TrustList
) -> None:
    token = forge(questura.key, token_header(comune), good_claims("001272"))
    with pytest.raises(TrustError, match="signature does not match"):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


def test_an_altered_token_is_refused(comune: NodeIdentity, trusted: TrustList) -> None:
    protected, _, signature = client_assertion(comune, AUDIENCE, now=NOW).split(".")
    claims = good_claims("001272") | {"aud": [AUDIENCE]}
    payload = b64url_encode(json.dumps(claims).encode())
    with pytest.raises(TrustError, match="signature does not match"):
        verify_token(f"{protected}.{payload}.{signature}", trusted, audience=AUDIENCE, now=NOW)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (
            {"iss": "TO"},
            "the token's iss is 'TO', but it is signed with the certificate of '001272'",
        ),
        ({"sub": "TO"}, "the token's sub is 'TO'"),
        ({"iss": None}, "the token's iss is None"),
        ({"jti": None}, "has no jti"),
        ({"jti": ""}, "has no jti"),
        ({"exp": None}, "exp is missing"),
        ({"iat": None}, "iat is missing"),
        ({"iat": "now"}, "iat is missing or not a number"),
        ({"aud": None}, "token addressed to None"),
    ],
)
def test_a_token_with_wrong_claims_is_refused(
    comune: NodeIdentity, trusted: TrustList, claims: dict[str, Any], message: str
) -> None:
    good = good_claims("001272")
    verify_token(forge(comune.key, token_header(comune), good), trusted, audience=AUDIENCE, now=NOW)
    bad = {k: v for k, v in (good | claims).items() if v is not None}
    token = forge(comune.key, token_header(comune), bad)
    with pytest.raises(TrustError, match=message):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"typ": "JOSE"}, "typ is 'JOSE'"),
        ({"typ": None}, None),
        ({"typ": "jwt"}, None),
        ({"alg": "ES384"}, "algorithm 'ES384'"),
        ({"kid": None}, "has no kid"),
    ],
)
def test_the_token_header_is_checked(
    comune: NodeIdentity, trusted: TrustList, header: dict[str, Any], message: str | None
) -> None:
    changed = {k: v for k, v in (token_header(comune) | header).items() if v is not None}
    protected = b64url_encode(json.dumps(changed).encode())
    payload = b64url_encode(json.dumps(good_claims("001272")).encode())
    # A real signature over the changed header, so only the header's content can be refused.
    digest = hashlib.sha256(f"{protected}.{payload}".encode()).digest()
    token = f"{protected}.{payload}.{b64url_encode(sign_digest(comune, digest))}"
    if message is None:
        assert verify_token(token, trusted, audience=AUDIENCE, now=NOW).node_id == "001272"
    else:
        with pytest.raises(TrustError, match=message):
            verify_token(token, trusted, audience=AUDIENCE, now=NOW)


@pytest.mark.parametrize(
    "token", ["", "abc", "a.b", "a..c", "a.b.c.d", "!.!.!"], ids=lambda t: repr(t)
)
def test_a_malformed_token_is_refused(trusted: TrustList, token: str) -> None:
    with pytest.raises(TrustError):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


@pytest.mark.parametrize(
    ("part", "value", "message"),
    [
        (1, "é", "claims are not base64url"),
        (1, "!", "claims are not base64url"),
        (2, "é", "signature is not base64url"),
        (2, "AAAA", "signature does not match"),
    ],
)
def test_a_token_with_a_mangled_part_is_refused(
    comune: NodeIdentity, trusted: TrustList, part: int, value: str, message: str
) -> None:
    parts = client_assertion(comune, AUDIENCE, now=NOW).split(".")
    parts[part] = value
    with pytest.raises(TrustError, match=message):
        verify_token(".".join(parts), trusted, audience=AUDIENCE, now=NOW)


def test_signed_claims_that_are_not_json_are_refused(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    protected = b64url_encode(json.dumps(token_header(comune)).encode())
    payload = b64url_encode(b"not json")
    digest = hashlib.sha256(f"{protected}.{payload}".encode()).digest()
    token = f"{protected}.{payload}.{b64url_encode(sign_digest(comune, digest))}"
    with pytest.raises(TrustError, match="claims are not JSON"):
        verify_token(token, trusted, audience=AUDIENCE, now=NOW)


def test_an_integrity_token_verifies_with_the_body_it_signs(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    digest = digest_header([PAYLOAD])
    token = integrity_token(comune, AUDIENCE, digest=digest, content_type=NDJSON, now=NOW)
    verified = verify_integrity(
        token, trusted, audience=AUDIENCE, digest=digest, content_type=NDJSON, now=NOW
    )
    assert verified.node_id == "001272"
    assert verified.claims["signed_headers"] == [{"digest": digest}, {"content-type": NDJSON}]


def test_an_integrity_token_with_a_wrong_digest_is_refused(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    token = integrity_token(
        comune, AUDIENCE, digest=digest_header([PAYLOAD]), content_type=NDJSON, now=NOW
    )
    with pytest.raises(TrustError, match="the body's Digest does not match the signed one"):
        verify_integrity(
            token,
            trusted,
            audience=AUDIENCE,
            digest=digest_header([PAYLOAD + b"x"]),
            content_type=NDJSON,
            now=NOW,
        )


def test_an_integrity_token_with_a_wrong_content_type_is_refused(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    digest = digest_header([PAYLOAD])
    token = integrity_token(comune, AUDIENCE, digest=digest, content_type=NDJSON, now=NOW)
    with pytest.raises(TrustError, match="Content-Type does not match"):
        verify_integrity(
            token, trusted, audience=AUDIENCE, digest=digest, content_type="text/csv", now=NOW
        )


@pytest.mark.parametrize(
    "signed_headers",
    [
        None,
        "digest",
        [{"content-type": NDJSON}],
        [{"digest": "SHA-256=x"}, {"digest": "SHA-256=x"}, {"content-type": NDJSON}],
    ],
)
def test_an_integrity_token_without_exactly_one_digest_is_refused(
    comune: NodeIdentity, trusted: TrustList, signed_headers: Any
) -> None:
    claims = good_claims("001272")
    if signed_headers is not None:
        claims["signed_headers"] = signed_headers
    token = forge(comune.key, token_header(comune), claims)
    with pytest.raises(TrustError, match=r"signed_headers|Digest does not match"):
        verify_integrity(
            token, trusted, audience=AUDIENCE, digest="SHA-256=x", content_type=NDJSON, now=NOW
        )


def test_a_client_assertion_is_not_an_integrity_token(
    comune: NodeIdentity, trusted: TrustList
) -> None:
    token = client_assertion(comune, AUDIENCE, now=NOW)
    with pytest.raises(TrustError, match="no signed_headers"):
        verify_integrity(
            token, trusted, audience=AUDIENCE, digest="SHA-256=x", content_type=NDJSON, now=NOW
        )
