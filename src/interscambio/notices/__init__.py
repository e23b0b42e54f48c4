# SPDX-License-Identifier: EUPL-1.2
"""Letters to foreign residents whose permit expires or expired, and the record that they went."""
