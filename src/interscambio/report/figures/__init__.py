# SPDX-License-Identifier: EUPL-1.2
"""One function per section of the report, each counting straight from the node's tables."""
