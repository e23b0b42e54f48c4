# SPDX-License-Identifier: EUPL-1.2
"""The trust layer: node keys and certificates, detached flow signatures, ModI-style tokens.

Framework-free, so the same code signs and verifies in a node, on the command line and in
tests; the exchange app keeps the keys on disk and the partners' certificates in the database.
The formats are described for partners in docs/signatures.md.
"""

from interscambio.core.trust.jws import (
    VerifiedSignature,
    sign_detached,
    sign_file,
    verify_detached,
    verify_file,
)
from interscambio.core.trust.keys import (
    NodeIdentity,
    TrustError,
    TrustList,
    certificate_node_id,
    certificate_pem,
    check_validity,
    generate_identity,
    key_id,
    load_certificate,
    load_identity,
)
from interscambio.core.trust.tokens import (
    VerifiedToken,
    client_assertion,
    digest_header,
    digest_of_file,
    evidence_digest,
    integrity_token,
    tracking_evidence,
    verify_integrity,
    verify_token,
)

__all__ = [
    "NodeIdentity",
    "TrustError",
    "TrustList",
    "VerifiedSignature",
    "VerifiedToken",
    "certificate_node_id",
    "certificate_pem",
    "check_validity",
    "client_assertion",
    "digest_header",
    "digest_of_file",
    "evidence_digest",
    "generate_identity",
    "integrity_token",
    "key_id",
    "load_certificate",
    "load_identity",
    "sign_detached",
    "sign_file",
    "tracking_evidence",
    "verify_detached",
    "verify_file",
    "verify_integrity",
    "verify_token",
]
