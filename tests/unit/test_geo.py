"""The grid that makes "near" a few key lookups: every point within the radius lies in
one of the cells a search reads, at the level the search uses."""

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.geo import (
    LEVELS,
    MAX_LATITUDE,
    MAX_RADIUS_KM,
    NEAR_PATTERN,
    cells,
    distance_km,
    search_cells,
)

pytestmark = pytest.mark.unit

SYDNEY_GPO = (-33.8675, 151.2070)


def test_distances_match_known_ones() -> None:
    # Sydney to Melbourne: the familiar ~713 km as the crow flies.
    assert distance_km(*SYDNEY_GPO, -37.8136, 144.9631) == pytest.approx(713, abs=3)
    assert distance_km(*SYDNEY_GPO, *SYDNEY_GPO) == 0
    # A degree of latitude: 111.2 km on the mean sphere.
    assert distance_km(0, 0, 1, 0) == pytest.approx(111.19, abs=0.01)


def test_a_sydney_search_reads_at_most_six_cells_at_every_radius() -> None:
    for radius in (0.5, 1, 3, 5, 10, 20, 25, 40, 60, 100):
        level, found = search_cells(*SYDNEY_GPO, radius)
        assert 1 <= len(found) <= 6, (radius, level, found)


def _offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point `km` from (lat, lon) along `bearing` (degrees), on the sphere."""
    d = km / 6371.0088
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    phi2 = math.asin(math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(d) * math.cos(phi), math.cos(d) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@settings(max_examples=400, deadline=None)
@given(
    lat=st.floats(-80, 80),
    lon=st.floats(-180, 179.999),
    radius=st.floats(0.1, MAX_RADIUS_KM),
    share=st.floats(0, 0.999),
    bearing=st.floats(0, 360),
)
def test_every_point_within_the_radius_is_in_a_cell_the_search_reads(
    lat: float, lon: float, radius: float, share: float, bearing: float
) -> None:
    level, found = search_cells(lat, lon, radius)
    point = _offset(lat, lon, radius * share, bearing)
    assert distance_km(lat, lon, *point) <= radius + 1e-6
    assert cells(*point)[level.name] in found


def test_a_search_as_near_the_poles_as_allowed_reads_a_bounded_number_of_cells() -> None:
    # Near 85 degrees a radius spans many meridians: 24 cells at most, never the whole ring.
    for lat in (MAX_LATITUDE, -MAX_LATITUDE):
        for radius in (1, 10, 50, MAX_RADIUS_KM):
            assert len(search_cells(lat, 179.9, radius)[1]) <= 24
    assert not re.match(NEAR_PATTERN, "85.5,151") and not re.match(NEAR_PATTERN, "90,180")
    assert re.match(NEAR_PATTERN, "-85,-180") and re.match(NEAR_PATTERN, "-33.8988,151.2335")


def test_cells_across_the_antimeridian_are_the_same_column() -> None:
    level, found = search_cells(-16.5, 179.99, 5)  # Fiji
    assert level is LEVELS[0]
    assert cells(-16.5, -179.99)["s"] in found
