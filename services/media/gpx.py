"""GPX routes: XML parsed only after defusedxml refused DTDs, entity expansion and external
entities (a "billion laughs" file or an XXE is refused, never expanded), then read with
gpxpy: distance, climbing, bounds, start and finish, and a simplified polyline."""

from typing import Any
from xml.etree.ElementTree import ParseError

import gpxpy
import gpxpy.geo
import gpxpy.gpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from media.validation import UploadRefused
from shared.domain.media import RouteSummary

# Heights a point on a ride can have (the Dead Sea's shore, Everest's summit, with margin).
MIN_ELEVATION_M = -500
MAX_ELEVATION_M = 9000
# The preview's tolerance (metres) and its most points.
SIMPLIFY_METRES = 15
PREVIEW_POINTS = 500


def _points(gpx: gpxpy.gpx.GPX) -> list[Any]:
    """Track points, or route points when the file has no track."""
    track: list[Any] = [p for t in gpx.tracks for s in t.segments for p in s.points]
    return track or [p for r in gpx.routes for p in r.points]


def parse_route(data: bytes) -> RouteSummary:
    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UploadRefused("unsafe_xml", "The file declares a DTD or entities.") from None
    except ParseError:
        raise UploadRefused("not_gpx", "The file is not XML.") from None
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError):
        raise UploadRefused("not_gpx", "The file is not a GPX document.") from None
    points = _points(gpx)
    if len(points) < 2:
        raise UploadRefused("empty_route", "The GPX holds no track or route with two points.")
    _check_points(gpx)
    distance, climbing = route_figures(gpx)
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    preview = [(p.latitude, p.longitude) for p in _simplified(gpx, points)]
    return RouteSummary(
        distance_km=round(distance / 1000, 2),
        elevation_gain_m=None if climbing is None else round(climbing, 1),
        bbox=[round(min(lons), 6), round(min(lats), 6), round(max(lons), 6), round(max(lats), 6)],
        start=[round(lats[0], 6), round(lons[0], 6)],
        finish=[round(lats[-1], 6), round(lons[-1], 6)],
        points=len(points),
        polyline=encode_polyline(preview),
    )


def _lines(gpx: gpxpy.gpx.GPX) -> list[list[Any]]:
    """The lines ridden: each track segment, or (for a file with no track) each route."""
    segments = [s.points for t in gpx.tracks for s in t.segments if len(s.points) > 1]
    return segments or [r.points for r in gpx.routes if len(r.points) > 1]


def route_figures(gpx: gpxpy.gpx.GPX) -> tuple[float, float | None]:
    """Distance (metres) and climbing (metres, None when the file gives no elevation),
    the same way for tracks and routes:

    - distance is 2D, on the ellipsoid's surface between consecutive points (what
      riding-club apps quote; a 3D figure adds ~0.1% on Sydney's hills);
    - climbing is gpxpy's smoothed uphill (each elevation averaged with its neighbours
      0.3/0.4/0.3 before rises are summed), so GPS noise on the flat does not count;
    - the gap between two track segments is not counted: a new segment is where the
      recorder stopped (a ferry, a train, a café with the device off), not a line ridden.
    """
    lines = _lines(gpx)
    distance = sum(gpxpy.geo.length_2d(line) for line in lines)
    heights = [[p.elevation for p in line] for line in lines]
    if not any(h is not None for line in heights for h in line):
        return distance, None
    climbing = sum(gpxpy.geo.calculate_uphill_downhill(line)[0] for line in heights)
    return distance, climbing


def _check_points(gpx: gpxpy.gpx.GPX) -> None:
    """Every point of every track and route on Earth: a file whose figures would be
    computed from impossible coordinates or heights is refused, with the first culprit."""
    everything = [p for t in gpx.tracks for s in t.segments for p in s.points] + [
        p for r in gpx.routes for p in r.points
    ]
    for point in everything:
        lat, lon = point.latitude, point.longitude
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails too
            raise UploadRefused(
                "bad_coordinates",
                f"A point lies outside latitude -90..90 / longitude -180..180 "
                f"(lat {lat}, lon {lon}).",
            )
        height = point.elevation
        if height is not None and not MIN_ELEVATION_M <= height <= MAX_ELEVATION_M:
            raise UploadRefused(
                "bad_elevation",
                f"A point's elevation ({height} m) is not a height on Earth "
                f"({MIN_ELEVATION_M}..{MAX_ELEVATION_M} m).",
            )


def _simplified(gpx: gpxpy.gpx.GPX, points: list[Any]) -> list[Any]:
    if gpx.tracks:
        copy = gpx.clone()
        copy.simplify(max_distance=SIMPLIFY_METRES)
        points = _points(copy)
    step = max(1, len(points) // PREVIEW_POINTS)
    kept = points[::step]
    return kept if kept[-1] is points[-1] else [*kept, points[-1]]


def encode_polyline(points: list[tuple[float, float]]) -> str:
    """Google's encoded polyline (5 decimals). Written here rather than taken from a
    package: the algorithm is a dozen lines, fixed by Google's documentation, and the
    packages that hold it would be a dependency for nothing else."""
    encoded: list[str] = []
    previous = (0, 0)
    for lat, lon in points:
        current = (round(lat * 1e5), round(lon * 1e5))
        for delta in (current[0] - previous[0], current[1] - previous[1]):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                encoded.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            encoded.append(chr(value + 63))
        previous = current
    return "".join(encoded)
