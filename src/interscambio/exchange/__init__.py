# SPDX-License-Identifier: EUPL-1.2
"""The exchange between the nodes: partners and their keys, flows out and in, receipts."""
