# SPDX-License-Identifier: EUPL-1.2
"""Where Turin's foreign residents come from, and the places the synthetic city knows.

Shares approximate the city's registry statistics (Romania first, then Morocco, China, Peru,
Nigeria, Albania...), so that about a third of the foreign population holds an EU citizenship.
Belfiore codes are the ones `python-codicefiscale` knows for each country.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from interscambio.core.codes import EU_MEMBER_STATES


@dataclass(frozen=True)
class Origin:
    country: str  # ISO 3166-1 alpha-3
    name: str  # Italian name, as the registry writes the birth place
    belfiore: str
    style: str  # key of the name pools in data/names.json
    share: float  # per mille of the city's foreign residents

    @property
    def eu(self) -> bool:
        return self.country in EU_MEMBER_STATES


ORIGINS: Final[tuple[Origin, ...]] = (
    Origin("ROU", "ROMANIA", "Z129", "romanian", 300),
    Origin("MAR", "MAROCCO", "Z330", "arabic_maghreb", 115),
    Origin("CHN", "CINA", "Z210", "chinese", 55),
    Origin("PER", "PERU'", "Z611", "hispanic", 53),
    Origin("NGA", "NIGERIA", "Z335", "nigerian", 45),
    Origin("ALB", "ALBANIA", "Z100", "albanian", 37),
    Origin("EGY", "EGITTO", "Z336", "arabic_mashriq", 35),
    Origin("PHL", "FILIPPINE", "Z216", "filipino", 25),
    Origin("MDA", "MOLDOVA", "Z140", "romanian", 23),
    Origin("UKR", "UCRAINA", "Z138", "slavic_east", 18),
    Origin("SEN", "SENEGAL", "Z343", "west_african_francophone", 18),
    Origin("BGD", "BANGLADESH", "Z249", "south_asian_muslim", 18),
    Origin("BRA", "BRASILE", "Z602", "brazilian", 15),
    Origin("PAK", "PAKISTAN", "Z236", "south_asian_muslim", 14),
    Origin("ECU", "ECUADOR", "Z605", "hispanic", 13),
    Origin("TUN", "TUNISIA", "Z352", "arabic_maghreb", 12),
    Origin("FRA", "FRANCIA", "Z110", "french", 12),
    Origin("CIV", "COSTA D'AVORIO", "Z313", "west_african_francophone", 10),
    Origin("ESP", "SPAGNA", "Z131", "spanish", 10),
    Origin("COL", "COLOMBIA", "Z604", "hispanic", 8),
    Origin("IND", "INDIA", "Z222", "south_asian_other", 8),
    Origin("DOM", "REPUBBLICA DOMINICANA", "Z505", "hispanic", 6),
    Origin("POL", "POLONIA", "Z127", "slavic_west", 6),
    Origin("DEU", "GERMANIA", "Z112", "german", 6),
    Origin("MLI", "MALI", "Z329", "west_african_francophone", 6),
    Origin("BGR", "BULGARIA", "Z104", "bulgarian", 5),
    Origin("LKA", "SRI LANKA", "Z209", "south_asian_other", 5),
    Origin("CMR", "CAMERUN", "Z306", "west_african_francophone", 5),
    Origin("RUS", "FEDERAZIONE RUSSA", "Z154", "slavic_east", 5),
    Origin("GIN", "GUINEA", "Z319", "west_african_francophone", 5),
    Origin("IRN", "IRAN", "Z224", "persian_turkish", 5),
    Origin("DZA", "ALGERIA", "Z301", "arabic_maghreb", 4),
    Origin("GHA", "GHANA", "Z318", "ghanaian", 4),
    Origin("GMB", "GAMBIA", "Z317", "west_african_francophone", 4),
    Origin("SRB", "SERBIA", "Z158", "balkan", 4),
    Origin("BFA", "BURKINA FASO", "Z354", "west_african_francophone", 3),
    Origin("ERI", "ERITREA", "Z368", "horn_of_africa", 3),
    Origin("SOM", "SOMALIA", "Z345", "horn_of_africa", 3),
    Origin("ETH", "ETIOPIA", "Z315", "horn_of_africa", 2),
    Origin("AFG", "AFGHANISTAN", "Z200", "persian_turkish", 3),
    Origin("TUR", "TURCHIA", "Z243", "persian_turkish", 3),
    Origin("SYR", "SIRIA", "Z240", "arabic_mashriq", 2),
    Origin("ARG", "ARGENTINA", "Z600", "hispanic", 3),
    Origin("VEN", "VENEZUELA", "Z614", "hispanic", 3),
    Origin("CUB", "CUBA", "Z504", "hispanic", 3),
    Origin("BOL", "BOLIVIA", "Z601", "hispanic", 3),
    Origin("GRC", "GRECIA", "Z115", "greek", 3),
    Origin("PRT", "PORTOGALLO", "Z128", "portuguese", 2),
    Origin("HUN", "UNGHERIA", "Z134", "hungarian", 2),
    Origin("HRV", "CROAZIA", "Z149", "balkan", 1),
)

# The city whose registry the synthetic data describes, and where its residents are born.
CITY_NAME: Final = "TORINO"
CITY_ISTAT: Final = "001272"
CITY_BELFIORE: Final = "L219"
QUESTURA_CODE: Final = "TO"
QUESTURA_NAME: Final = "QUESTURA DI TORINO"

# Other comuni of the province: the Questura of Turin also holds their residents' permits.
PROVINCE_COMUNI: Final[tuple[tuple[str, str], ...]] = (
    ("MONCALIERI", "001156"),
    ("COLLEGNO", "001090"),
    ("RIVOLI", "001219"),
    ("NICHELINO", "001164"),
    ("SETTIMO TORINESE", "001265"),
    ("GRUGLIASCO", "001120"),
    ("CHIERI", "001078"),
    ("VENARIA REALE", "001292"),
    ("PINEROLO", "001191"),
    ("ORBASSANO", "001171"),
    ("CARMAGNOLA", "001059"),
    ("SAN MAURO TORINESE", "001249"),
    ("BEINASCO", "001024"),
    ("CHIVASSO", "001082"),
    ("IVREA", "001125"),
)
