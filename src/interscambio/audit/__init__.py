# SPDX-License-Identifier: EUPL-1.2
"""The node's access log, tamper-evident: entries appended in the reader's transaction, tree
heads signed with the node's key, the whole log verified and exported for the Prefettura.

Built on the framework-free core `core/auditlog` (docs/audit-log.md). The consultation
platform, its APIs and the supervisor's views (issue 5) write and read it through `log.py`.
"""
