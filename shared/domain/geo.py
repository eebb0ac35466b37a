"""Places on the map, and the grid cells that make "near" a handful of key lookups.

A point is filed in one cell at each of three levels: squares of 0.1°, 0.5° and 2° of
latitude and longitude (at Sydney's latitude about 11 x 9 km, 55 x 46 km and 220 x 185
km). A search of radius r uses the finest level whose cells are at least as wide as the
search's bounding box is tall, so at Sydney's latitude the box (2r by 2r) overlaps at
most 2 x 3 of its cells (longitude degrees are shorter there than latitude ones; nearer
the poles, more columns). A plain grid, not a
geohash: the same few-cells property, without a base-32 alphabet or a neighbour table,
and a cell is two integers anyone can read in the table.

Distance is the haversine great-circle distance on a sphere of the Earth's mean radius
(IUGG: 6,371.0088 km): within 0.5 % of the ellipsoid, which is well inside what "near"
means on a bike.
"""

import math
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, Field

from shared.domain.model import Model
from shared.domain.numbers import NOT_A_BOOL

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # of latitude, anywhere
MAX_RADIUS_KM = 100
# A search's `near`: latitude -85..85 (nearer the poles a radius spans most meridians, and
# a search would read every column of the grid; nobody rides there), longitude -180..180,
# in decimal degrees.
MAX_LATITUDE = 85
_LAT = r"-?(85(\.0{1,10})?|(8[0-4]|[1-7]?[0-9])(\.[0-9]{1,10})?)"
_LON = r"-?(180(\.0{1,10})?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]{1,10})?)"
NEAR_PATTERN = f"^{_LAT},{_LON}$"


@dataclass(frozen=True)
class Level:
    name: str
    degrees: float

    def cell(self, lat: float, lon: float) -> str:
        """The cell holding the point, as `row:column` of the level's grid."""
        return f"{math.floor(lat / self.degrees)}:{math.floor(lon / self.degrees)}"


LEVELS = (Level("s", 0.1), Level("m", 0.5), Level("l", 2.0))


def _seven_decimals(value: float) -> float:
    # Seven decimals (about a centimetre): what DynamoDB stores exactly, whatever was sent.
    return round(value, 7)


Latitude = Annotated[float, Field(ge=-90, le=90), NOT_A_BOOL, AfterValidator(_seven_decimals)]
Longitude = Annotated[float, Field(ge=-180, le=180), NOT_A_BOOL, AfterValidator(_seven_decimals)]


class GeoPoint(Model):
    lat: Latitude
    lon: Longitude


def point_from_text(near: str) -> GeoPoint:
    """The point of a search's `near` (`lat,lon`, already matched by `NEAR_PATTERN`)."""
    lat, lon = (float(part) for part in near.split(","))
    return GeoPoint(lat=lat, lon=lon)


def cells(lat: float, lon: float) -> dict[str, str]:
    """The point's cell at every level, by level name."""
    return {level.name: level.cell(lat, lon) for level in LEVELS}


def search_cells(lat: float, lon: float, radius_km: float) -> tuple[Level, list[str]]:
    """The level a search of `radius_km` around the point uses, and the cells of that
    level its bounding box overlaps (at most six; none beyond the poles)."""
    lat_span = radius_km / KM_PER_DEGREE
    lon_span = lat_span / max(math.cos(math.radians(min(abs(lat) + lat_span, 89.9))), 1e-6)
    level = next((lv for lv in LEVELS if 2 * lat_span <= lv.degrees), LEVELS[-1])
    south, north = max(lat - lat_span, -90.0), min(lat + lat_span, 90.0)
    rows = range(math.floor(south / level.degrees), math.floor(north / level.degrees) + 1)
    west, east = lon - lon_span, lon + lon_span
    columns = range(math.floor(west / level.degrees), math.floor(east / level.degrees) + 1)
    wrap = round(360 / level.degrees)  # the antimeridian: column -1 of +180 is column 0 of -180
    found = {
        f"{row}:{(column + wrap // 2) % wrap - wrap // 2}" for row in rows for column in columns
    }
    return level, sorted(found)


def distance_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance (haversine)."""
    d_lat = math.radians(b_lat - a_lat)
    d_lon = math.radians(b_lon - a_lon)
    h = (
        math.sin(d_lat / 2) ** 2
        + math.cos(math.radians(a_lat)) * math.cos(math.radians(b_lat)) * math.sin(d_lon / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
