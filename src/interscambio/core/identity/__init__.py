# SPDX-License-Identifier: EUPL-1.2
"""Identity of persons: codice fiscale, and (later) name keys and transliteration."""
