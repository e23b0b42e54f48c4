# SPDX-License-Identifier: EUPL-1.2
"""Who may do what: offices, the agreement between them, and each person's authorizations.

A user acts for an office in a role (`roles.py`), by an authorization that has its own expiry;
the roles of other administrations hold only while an agreement covers their office. What each
role may see of a person is in one place, `fields.py`. Granting and revoking are written to the
access log in the same transaction (`rules.py`). The consultation platform (issue 5) asks
`rules.py` on every read.
"""
