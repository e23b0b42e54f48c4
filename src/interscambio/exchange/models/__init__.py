# SPDX-License-Identifier: EUPL-1.2
"""The exchange's tables: partners (with their trust list), flows, tokens seen, records received."""

from interscambio.exchange.models.flows import Flow
from interscambio.exchange.models.partners import Partner, PartnerCertificate, SeenToken
from interscambio.exchange.models.received import ReceivedPermit, ReceivedRegistryEvent

__all__ = [
    "Flow",
    "Partner",
    "PartnerCertificate",
    "ReceivedPermit",
    "ReceivedRegistryEvent",
    "SeenToken",
]
