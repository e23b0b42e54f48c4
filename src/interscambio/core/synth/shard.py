# SPDX-License-Identifier: EUPL-1.2
"""One shard of the city: its families generated, lived and written to part files.

A shard writes the registry rows with the plain (not yet omocode) codice fiscale and the
permit rows with a hidden first column naming the registry person they belong to; the merge
resolves codes that collide across the whole city and writes the truth's links.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from pathlib import Path
from typing import IO, Final

from interscambio.core.codes import EU_MEMBER_STATES
from interscambio.core.identity.codice_fiscale import encode
from interscambio.core.synth.catalog import catalog
from interscambio.core.synth.config import CityConfig
from interscambio.core.synth.context import Context, Tally
from interscambio.core.synth.life import Family, live, make_family, make_outsider
from interscambio.core.synth.origins import (
    CITY_ISTAT,
    CITY_NAME,
    QUESTURA_CODE,
    QUESTURA_NAME,
)
from interscambio.core.synth.people import Address, Permit, Person
from interscambio.core.synth.permits import latest_issued, permit_chain, questura_domicile, status
from interscambio.core.synth.questura import (
    HolderView,
    domicile_text,
    holder_view,
    province_domicile,
)
from interscambio.core.synth.titles import Title, registry_title

PART_FILES: Final = ("anagrafe", "eventi", "permessi", "discrepanze")
PROVINCE_SHARE: Final = 0.10  # holders of the Questura of Turin living elsewhere in the province
OVERDUE_DAYS: Final = 60
OTHER_EU: Final = EU_MEMBER_STATES - {"ITA"}


def _iso(ordinal: int | None) -> str:
    return date.fromordinal(ordinal).isoformat() if ordinal is not None else ""


def window(config: CityConfig) -> tuple[int, int]:
    end = config.reference_date.toordinal()
    ref = config.reference_date
    months_back = ref.year * 12 + ref.month - 1 - config.months
    start_year, start_month = divmod(months_back, 12)
    start = date(start_year, start_month + 1, min(ref.day, 28)).toordinal()
    return start, end


class ShardWriter:
    def __init__(self, ctx: Context, folder: Path) -> None:
        self.ctx = ctx
        self.files: dict[str, IO[str]] = {
            name: (folder / f"{name}.part").open("w", encoding="utf-8", newline="")
            for name in PART_FILES
        }
        self.rows = {
            name: csv.writer(handle, lineterminator="\n") for name, handle in self.files.items()
        }

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()

    def family(self, family: Family) -> int:
        """Write a lived family; returns how many of its members are residents at the end."""
        ctx, counts, end = self.ctx, self.ctx.tally.counts, self.ctx.end
        counts["families"] += 1
        chains = {id(p): permit_chain(ctx, family, p) for p in family.members}
        titles = {id(p): registry_title(ctx, family, p, chains[id(p)]) for p in family.members}
        family.events.sort(key=lambda e: e.when)
        for event in family.events:
            counts["registry_events"] += 1
            counts[f"events_{event.kind}"] += 1
            details = json.dumps(event.details, ensure_ascii=False, separators=(",", ":"))
            self.rows["eventi"].writerow(
                (
                    ctx.event_id(),
                    event.person.pid,
                    event.kind,
                    event.reason,
                    _iso(event.when),
                    details,
                )
            )
        residents = 0
        for person in family.members:
            address = family.registry_address_at(person.cancelled or end)
            self._resident(family, person, titles[id(person)], address)
            residents += person.resident
            chain = chains[id(person)]
            if chain:
                self._holder(family, person, chain, titles[id(person)], address)
        return residents

    def _resident(self, family: Family, person: Person, title: Title, address: Address) -> None:
        counts = self.ctx.tally.counts
        counts["registry_persons"] += 1
        if person.resident:
            counts["registry_residents"] += 1
            counts["registry_eu_residents"] += person.citizenships[0] in OTHER_EU
            counts["registry_naturalized"] += "ITA" in person.citizenships
        else:
            counts["registry_cancelled"] += 1
        counts["registry_with_stay_title"] += bool(title.kind)
        has_number = bool(title.number)
        self.rows["anagrafe"].writerow(
            (
                person.pid, _code(person), person.surname, person.given, person.sex,
                _iso(person.born), person.place_name, person.place_code,
                ";".join(person.citizenships),
                "residente" if person.resident else "cancellato",
                _iso(person.registered), _iso(person.cancelled), person.cancellation_reason,
                family.fid, person.relation, *map(str, address),
                title.kind, title.number,
                QUESTURA_CODE if has_number else "", QUESTURA_NAME if has_number else "",
                _iso(title.issued), _iso(title.expires), _iso(title.renewed),
                _iso(title.requested), _iso(title.dwelling),
            )
        )  # fmt: skip

    def _holder(
        self, family: Family, person: Person, chain: list[Permit], title: Title, address: Address
    ) -> None:
        ctx = self.ctx
        rng, end = ctx.rng, ctx.end
        cui = ctx.holder_id()
        view = holder_view(ctx, person, _code(person), registered=True)
        domicile = questura_domicile(family, person, chain, end)
        text = domicile_text(rng, ctx.catalog, domicile)
        self._permits(person.pid, cui, person, chain, view, (text, CITY_NAME, CITY_ISTAT))
        ctx.tally.counts["links"] += len(chain)
        latest = latest_issued(chain)
        if person.naturalized is not None:
            return
        if latest is not None and latest.number != title.number:
            cancelled_wrongly = person.cancellation_reason == "7" and (latest.expires or end) >= (
                person.cancelled or end
            )
            if person.resident or cancelled_wrongly:
                held = title.number or "nessun permesso"
                detail = (
                    f"anagrafe: {held}; "
                    f"questura: {latest.number} rilasciato il {_iso(latest.issued)}"
                )
                if cancelled_wrongly:
                    detail += f"; cancellato per mancato rinnovo il {_iso(person.cancelled)}"
                self._discrepancy("rinnovo_non_dichiarato", person.pid, latest.number, cui, detail)
        if not person.resident:
            return
        if domicile[:3] != address[:3]:
            street = ctx.catalog.street
            detail = (
                f"anagrafe: {street(address[0]).label} {address[1]}{address[2]}; "
                f"questura: {street(domicile[0]).label} {domicile[1]}{domicile[2]}"
            )
            self._discrepancy("domicilio_diverso", person.pid, chain[-1].number, cui, detail)
        last = chain[-1]
        if last.expires is not None and last.expires < end - OVERDUE_DAYS:
            detail = f"scaduto il {_iso(last.expires)}, nessuna domanda di rinnovo"
            self._discrepancy("permesso_scaduto", person.pid, last.number, cui, detail)

    def outsider(self, in_city: bool) -> None:
        ctx = self.ctx
        family = make_outsider(ctx)
        person = family.members[0]
        chain = permit_chain(ctx, family, person)
        if not chain:
            return
        cui = ctx.holder_id()
        view = holder_view(ctx, person, _code(person), registered=False)
        if in_city:
            address = questura_domicile(family, person, chain, ctx.end)
            domicile = (domicile_text(ctx.rng, ctx.catalog, address), CITY_NAME, CITY_ISTAT)
            ctx.tally.counts["holders_not_in_registry"] += 1
            ctx.tally.noise_count["unregistered"] += 1
            ctx.tally.noise_of["unregistered"] += 1
            self._discrepancy(
                "titolare_non_iscritto", "", chain[-1].number, cui,
                f"domicilio dichiarato a {CITY_NAME}: {domicile[0]}",
            )  # fmt: skip
        else:
            domicile = province_domicile(ctx.rng)
            ctx.tally.counts["holders_other_comuni"] += 1
        self._permits("", cui, person, chain, view, domicile)

    def _permits(
        self,
        pid: str,
        cui: str,
        person: Person,
        chain: list[Permit],
        view: HolderView,
        domicile: tuple[str, str, str],
    ) -> None:
        counts, end = self.ctx.tally.counts, self.ctx.end
        counts["permit_holders"] += 1
        counts["permits"] += len(chain)
        for index, p in enumerate(chain):
            self.rows["permessi"].writerow(
                (
                    pid, p.number, p.kind, p.reason, p.channel, p.application_number,
                    p.registered_post, _iso(p.applied), _iso(p.issued), _iso(p.delivered),
                    _iso(p.expires), status(chain, index, end), p.previous, cui,
                    view.codice_fiscale, view.surname, view.given, person.sex, view.born,
                    view.birth_place, person.origin.country, *domicile,
                )
            )  # fmt: skip

    def _discrepancy(self, kind: str, pid: str, number: str, cui: str, detail: str) -> None:
        self.ctx.tally.counts[f"discrepancy_{kind}"] += 1
        self.rows["discrepanze"].writerow((kind, pid, number, cui, detail))


def _code(person: Person) -> str:
    return encode(
        person.surname, person.given, person.sex, date.fromordinal(person.born), person.place_code
    )


def generate_shard(config: CityConfig, shard: int, folder: Path) -> Tally:
    """Generate shard `shard` into `folder`: the same (config, shard), the same files."""
    folder.mkdir(parents=True, exist_ok=True)
    start, end = window(config)
    rng = random.Random(f"interscambio-synth:{config.seed}:{shard}")
    ctx = Context(config, catalog(), shard, rng, start, end)
    writer = ShardWriter(ctx, folder)
    quota, residents = config.shard_quota(shard), 0
    noise = config.noise
    try:
        while residents < quota:
            family = make_family(ctx)
            live(ctx, family)
            residents += writer.family(family)
            holders = sum(1 for p in family.members if not p.origin.eu and p.naturalized is None)
            for _ in range(holders):
                ctx.tally.noise_of["unregistered"] += 1
                while rng.random() < noise.unregistered:
                    writer.outsider(in_city=True)
                while rng.random() < PROVINCE_SHARE:
                    writer.outsider(in_city=False)
    finally:
        writer.close()
    return ctx.tally
