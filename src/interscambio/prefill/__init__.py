# SPDX-License-Identifier: EUPL-1.2
"""Pre-filled permit applications: what the help desk types into the kit, from the registry."""
