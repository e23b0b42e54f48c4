# SPDX-License-Identifier: EUPL-1.2
"""What a synthetic city is made of: its size, seed, history and the rates of each imperfection."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Final

MIN_RESIDENTS: Final = 1_000
MAX_RESIDENTS: Final = 5_000_000
MAX_MONTHS: Final = 240
# A shard is generated on its own, seeded by (seed, shard number), so the output does not
# depend on how many worker processes share the shards.
SHARD_RESIDENTS: Final = 5_000


class ConfigError(ValueError):
    """A parameter of the synthetic city is out of range; the message names it."""


@dataclass(frozen=True)
class Noise:
    """How a second office's records differ from the registry's: each rate is 0..1.

    Name and code rates apply per permit holder present in both offices; `unregistered` is the
    share of the city's permit holders who never registered; `undeclared_renewal` the share of
    renewals the holder never reported to the registry; `registry_only_move` and
    `questura_only_move` the shares of moves told to one office only.
    """

    romanization: float = 0.10
    typo: float = 0.03
    name_order: float = 0.04
    missing_cf: float = 0.04
    provisional_cf: float = 0.03
    date_swap: float = 0.02
    unregistered: float = 0.05
    undeclared_renewal: float = 0.15
    registry_only_move: float = 0.50
    questura_only_move: float = 0.10

    def validate(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"noise rate {item.name} must be between 0 and 1, not {value}")
        if self.missing_cf + self.provisional_cf > 1.0:
            raise ConfigError("missing_cf + provisional_cf must not exceed 1")
        if self.registry_only_move + self.questura_only_move > 1.0:
            raise ConfigError("registry_only_move + questura_only_move must not exceed 1")
        if self.unregistered >= 1.0:
            raise ConfigError("unregistered must be below 1: someone must be registered")


@dataclass(frozen=True)
class CityConfig:
    residents: int = 20_000
    seed: int = 1
    months: int = 24
    reference_date: date = date(2026, 10, 31)
    noise: Noise = field(default_factory=Noise)

    def validate(self) -> None:
        if not MIN_RESIDENTS <= self.residents <= MAX_RESIDENTS:
            raise ConfigError(
                f"residents must be between {MIN_RESIDENTS:,} and {MAX_RESIDENTS:,}, "
                f"not {self.residents:,}"
            )
        if not 1 <= self.months <= MAX_MONTHS:
            raise ConfigError(f"months must be between 1 and {MAX_MONTHS}, not {self.months}")
        if not 2000 <= self.reference_date.year <= 2100:
            raise ConfigError(f"reference date {self.reference_date} is implausible")
        self.noise.validate()

    @property
    def shards(self) -> int:
        return max(1, round(self.residents / SHARD_RESIDENTS))

    def shard_quota(self, shard: int) -> int:
        """Residents at the reference date that shard `shard` (0-based) must produce."""
        base, extra = divmod(self.residents, self.shards)
        return base + (1 if shard < extra else 0)
