# SPDX-License-Identifier: EUPL-1.2
"""The synthetic city: a Comune's registry, a Questura's permits and the truth linking them.

Framework-free and deterministic by seed: `interscambio synth --out DIR` (see cli.py), or
`build(CityConfig(...), Path(...))` from Python.
"""

from interscambio.core.synth.city import build
from interscambio.core.synth.config import CityConfig, ConfigError, Noise

__all__ = ["CityConfig", "ConfigError", "Noise", "build"]
