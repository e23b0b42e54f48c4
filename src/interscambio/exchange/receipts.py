# SPDX-License-Identifier: EUPL-1.2
"""Issuing this node's receipts (signed) and reading the partners' (verified)."""

from __future__ import annotations

from dataclasses import dataclass

from interscambio.core.flows.receipt import Receipt
from interscambio.core.trust import TrustError, sign_detached, verify_detached
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.models import Partner
from interscambio.exchange.trust import node_identity, trust_list


@dataclass(frozen=True)
class SignedReceipt:
    receipt: Receipt
    body: bytes
    signature: str


def issue(receipt: Receipt) -> SignedReceipt:
    body = receipt.to_bytes()
    return SignedReceipt(receipt, body, sign_detached(node_identity(), [body]))


def verify(partner: Partner, body: bytes, signature: str) -> Receipt:
    """A partner's receipt, checked against its certificates and its schema."""
    try:
        signed = verify_detached(signature, [body], trust_list(partner))
    except TrustError as error:
        raise ExchangeError(f"the receipt from {partner.node_id} is not trusted: {error}") from None
    if signed.node_id != partner.node_id:
        raise ExchangeError(
            f"the receipt is signed by {signed.node_id}, expected {partner.node_id}"
        )
    try:
        return Receipt.from_bytes(body)
    except ValueError as error:
        raise ExchangeError(f"the receipt from {partner.node_id}: {error}") from None
