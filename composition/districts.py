"""Where the districts lie: their approximate centres and the distances between them.

The travel a group asks of its children is measured between district centres, in whole
kilometres along the earth's surface (a straight line: public transport in Stockholm follows it
well enough to tell a short trip from a long one).
"""

import math
from decimal import Decimal

# Approximate centres of Stockholm's 13 districts (stadsdelsområden), WGS 84, to about a kilometre.
# Seeded by migration 0001 and editable in the admin; a district without a centre (another
# municipality's) counts as an unknown distance (composition/solver.py).
DISTRICT_CENTRES = {
    "Bromma": ("59.33800", "17.94000"),
    "Enskede-Årsta-Vantör": ("59.28000", "18.06000"),
    "Farsta": ("59.24500", "18.09000"),
    "Hägersten-Älvsjö": ("59.29000", "17.99000"),
    "Hässelby-Vällingby": ("59.36500", "17.85000"),
    "Kungsholmen": ("59.33200", "18.03000"),
    "Norrmalm": ("59.34000", "18.05000"),
    "Rinkeby-Kista": ("59.40000", "17.93000"),
    "Skarpnäck": ("59.27000", "18.12000"),
    "Skärholmen": ("59.27500", "17.90500"),
    "Spånga-Tensta": ("59.38500", "17.89500"),
    "Södermalm": ("59.31400", "18.07000"),
    "Östermalm": ("59.34500", "18.09000"),
}

EARTH_RADIUS_KM = 6371.0


def seed_district_centres(apps) -> None:
    """Give Stockholm's districts their centres; takes an app registry so that the data migration
    can run it with historical models (and tests after a flush with the real ones)."""
    District = apps.get_model("partnership", "District")
    DistrictCentre = apps.get_model("composition", "DistrictCentre")
    for district in District.objects.filter(name__in=DISTRICT_CENTRES):
        latitude, longitude = DISTRICT_CENTRES[district.name]
        DistrictCentre.objects.get_or_create(
            district=district, defaults={"latitude": Decimal(latitude), "longitude": Decimal(longitude)}
        )


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Great-circle distance between two (latitude, longitude) points, rounded to whole km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return round(2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h)))
