# SPDX-License-Identifier: EUPL-1.2
"""Hub mode: one installation hosting several Comuni, as a province hosts its small ones.

Each Comune hosted is a whole node of its own: its folder (keys, flows, files), its database
(on PostgreSQL, its own database and role, which no other Comune's role may connect to), its
operators and its log, served by its own processes. Isolation is then by construction, not by
a filter every query must remember: a Comune's process holds no way to another's residents.
The hub adds the one command that creates a Comune, lists them, and runs a command in one or
all of them (the fortnightly round). See docs/hub.md.
"""
