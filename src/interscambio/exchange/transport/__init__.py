# SPDX-License-Identifier: EUPL-1.2
"""How flows and receipts travel: `api` (HTTPS, ModI style) and `files` (signed files in folders).

A transport only moves bytes; what a flow or a receipt means is decided by importing.py and
outbox.py. A failure to reach the partner raises TransportError and the flow is retried later.
"""


class TransportError(Exception):
    """The partner could not be reached or did not answer with a receipt; try again later."""
