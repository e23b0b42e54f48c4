# SPDX-License-Identifier: EUPL-1.2
"""Reading the registry for someone else: search, the person record, purposes, the log.

The portal and the consultation API both go through `reads.py`, which checks the reader's
authorization, asks for a purpose from the configured list and a case reference before any
result, filters the person through the role's field policy (`access/fields.py`) and appends
the read to the access log in the same transaction, before the data leaves.
"""
