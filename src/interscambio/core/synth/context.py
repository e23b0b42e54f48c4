# SPDX-License-Identifier: EUPL-1.2
"""What one shard's generation carries around: its random stream, its window and its ids."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from interscambio.core.synth.catalog import Catalog
from interscambio.core.synth.config import CityConfig, Noise


@dataclass
class Tally:
    """What a shard produced, summed by the merge into the truth's summary."""

    counts: Counter[str] = field(default_factory=Counter)
    noise_count: Counter[str] = field(default_factory=Counter)
    noise_of: Counter[str] = field(default_factory=Counter)

    def chance(self, rng: random.Random, kind: str, rate: float) -> bool:
        """Draw one occurrence of a noise `kind` among the eligible, counting both."""
        self.noise_of[kind] += 1
        hit = rng.random() < rate
        if hit:
            self.noise_count[kind] += 1
        return hit

    def add(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.noise_count.update(other.noise_count)
        self.noise_of.update(other.noise_of)


@dataclass
class Context:
    config: CityConfig
    catalog: Catalog
    shard: int
    rng: random.Random
    start: int  # the history window is (start, end], as date ordinals
    end: int
    tally: Tally = field(default_factory=Tally)
    _next: Counter[str] = field(default_factory=Counter)

    @property
    def noise(self) -> Noise:
        return self.config.noise

    def _serial(self, kind: str) -> int:
        self._next[kind] += 1
        return self._next[kind]

    # Every id carries the shard number, so shards never collide and need no coordination.
    def person_id(self) -> str:
        return f"{self.shard + 1:04d}{self._serial('person'):06d}"

    def family_id(self) -> str:
        return f"F{self.shard + 1:04d}{self._serial('family'):06d}"

    def event_id(self) -> str:
        return f"E{self.shard + 1:04d}{self._serial('event'):07d}"

    def permit_number(self) -> str:
        return f"I{self.shard + 1:04d}{self._serial('permit'):06d}"

    def holder_id(self) -> str:
        return f"{self.shard + 1:04d}{self._serial('holder'):07d}"
