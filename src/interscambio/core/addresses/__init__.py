# SPDX-License-Identifier: EUPL-1.2
"""Italian addresses: free text parsed, resolved against the Comune's gazetteer, compared.

Framework-free: `parse.py` splits a text into street type, name, civic number, suffix,
staircase, floor and interno; `gazetteer.py` finds the street of the stradario it names;
`compare.py` tells one building from one street. Described in docs/addresses.md.
"""

from interscambio.core.addresses.compare import Comparison, compare
from interscambio.core.addresses.gazetteer import Gazetteer, Resolution, Street
from interscambio.core.addresses.parse import ParsedAddress, address_key, parse_address
from interscambio.core.addresses.written import written

__all__ = [
    "Comparison",
    "Gazetteer",
    "ParsedAddress",
    "Resolution",
    "Street",
    "address_key",
    "compare",
    "parse_address",
    "written",
]
