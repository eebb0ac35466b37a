"""Images and GPX routes judged by their bytes, against the fixtures in
`tests/fixtures/media/` (made by `make_fixtures.py` there)."""

import io
from pathlib import Path

import pytest
from PIL import Image

from media.gpx import encode_polyline, parse_route
from media.images import decode, renditions
from media.validation import UploadRefused
from shared.domain.media import LOGO_SIZES

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "media"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_logo_is_published_in_every_size_as_webp_and_jpeg() -> None:
    published = renditions(decode(read("logo.png"), "image/png"), LOGO_SIZES)

    assert sorted(published) == sorted(f"{s}.{f}" for s in LOGO_SIZES for f in ("webp", "jpg"))
    for name, data in published.items():
        size = int(name.split(".")[0])
        image = Image.open(io.BytesIO(data))
        assert image.format == ("WEBP" if name.endswith("webp") else "JPEG")
        # 1200x800 scaled to fit, never enlarged, proportions kept.
        assert image.size == (min(size, 1200), round(min(size, 1200) * 2 / 3))


def test_exif_and_its_gps_position_are_stripped() -> None:
    source = Image.open(io.BytesIO(read("gps_exif.png")))
    assert source.getexif().get_ifd(0x8825)  # the fixture does carry a position

    for data in renditions(decode(read("gps_exif.png"), "image/png"), (256,)).values():
        published = Image.open(io.BytesIO(data))
        assert not published.getexif() and "exif" not in published.info


@pytest.mark.parametrize(
    ("fixture", "declared", "code"),
    [
        ("truncated.jpg", "image/jpeg", "corrupt_image"),
        ("really_a_pdf.png", "image/png", "not_an_image"),
        ("really_a_jpeg.png", "image/png", "type_mismatch"),
        ("huge.png", "image/png", "image_too_large"),
        ("centennial_park.gpx", "image/png", "not_an_image"),
    ],
)
def test_images_that_are_not_what_they_claim_are_refused(
    fixture: str, declared: str, code: str
) -> None:
    with pytest.raises(UploadRefused) as refused:
        decode(read(fixture), declared)
    assert refused.value.code == code


def test_a_sydney_loop_gives_its_distance_climbing_and_preview() -> None:
    route = parse_route(read("centennial_park.gpx"))

    assert route.distance_km == pytest.approx(3.8, abs=0.15)
    assert route.elevation_gain_m is not None
    assert 30 < route.elevation_gain_m < 50  # one climb of ~44 m, smoothed
    assert route.points == 241
    assert route.start == route.finish  # a loop
    min_lon, min_lat, max_lon, max_lat = route.bbox
    assert -33.91 < min_lat < max_lat < -33.89 and 151.22 < min_lon < max_lon < 151.25
    assert 0 < len(route.polyline) < 2000


@pytest.mark.parametrize(
    ("fixture", "code"),
    [
        ("billion_laughs.gpx", "unsafe_xml"),
        ("external_entity.gpx", "unsafe_xml"),
        ("logo.png", "not_gpx"),
    ],
)
def test_hostile_or_foreign_files_are_not_routes(fixture: str, code: str) -> None:
    with pytest.raises(UploadRefused) as refused:
        parse_route(read(fixture))
    assert refused.value.code == code


def test_a_gpx_without_points_is_refused() -> None:
    empty = b'<?xml version="1.0"?><gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"/>'
    with pytest.raises(UploadRefused) as refused:
        parse_route(empty)
    assert refused.value.code == "empty_route"


def test_polylines_encode_as_googles_reference_example() -> None:
    # From Google's "Encoded Polyline Algorithm Format" documentation.
    assert encode_polyline([(38.5, -120.2), (40.7, -120.95), (43.252, -126.453)]) == (
        "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    )


def _gpx(*points: str, kind: str = "trk") -> bytes:
    body = "".join(points)
    inner = f"<trkseg>{body}</trkseg>" if kind == "trk" else body
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="x" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><{kind}>{inner}</{kind}></gpx>'
    ).encode()


@pytest.mark.parametrize(
    ("points", "kind", "code"),
    [
        (
            ('<trkpt lat="999" lon="5000"/>', '<trkpt lat="-33.9" lon="151.2"/>'),
            "trk",
            "bad_coordinates",
        ),
        (
            ('<trkpt lat="-33.9" lon="151.2"/>', '<trkpt lat="-91" lon="151.2"/>'),
            "trk",
            "bad_coordinates",
        ),
        (
            ('<rtept lat="-33.9" lon="181"/>', '<rtept lat="-33.9" lon="151.2"/>'),
            "rte",
            "bad_coordinates",
        ),
        (
            ('<trkpt lat="nan" lon="151.2"/>', '<trkpt lat="-33.9" lon="151.2"/>'),
            "trk",
            "bad_coordinates",
        ),
        (
            (
                '<trkpt lat="-33.9" lon="151.2"><ele>60</ele></trkpt>',
                '<trkpt lat="-33.91" lon="151.2"><ele>90000000</ele></trkpt>',
            ),
            "trk",
            "bad_elevation",
        ),
    ],
)
def test_points_off_the_earth_refuse_the_file_with_a_reason(
    points: tuple[str, ...], kind: str, code: str
) -> None:
    with pytest.raises(UploadRefused) as refused:
        parse_route(_gpx(*points, kind=kind))
    assert refused.value.code == code
    assert "lat" in refused.value.message or "elevation" in refused.value.message


SYDNEY_POINTS = [
    (-33.8980, 151.2400, 60.0),
    (-33.8950, 151.2410, 75.0),
    (-33.8920, 151.2420, 71.0),
    (-33.8890, 151.2430, 92.0),
    (-33.8860, 151.2440, 90.0),
]


def _points_xml(tag: str, points: list[tuple[float, float, float]], elevation: bool = True) -> str:
    return "".join(
        f'<{tag} lat="{lat}" lon="{lon}">'
        + (f"<ele>{ele}</ele>" if elevation else "")
        + f"</{tag}>"
        for lat, lon, ele in points
    )


def test_a_track_and_a_route_of_the_same_points_have_the_same_figures() -> None:
    track = parse_route(_gpx(_points_xml("trkpt", SYDNEY_POINTS)))
    route = parse_route(_gpx(_points_xml("rtept", SYDNEY_POINTS), kind="rte"))

    assert (route.distance_km, route.elevation_gain_m) == (
        track.distance_km,
        track.elevation_gain_m,
    )
    # Smoothed: less than the raw sum of rises (15 + 21 = 36 m).
    assert track.elevation_gain_m is not None and 0 < track.elevation_gain_m < 36


def test_a_file_without_elevation_has_unknown_climbing_not_zero() -> None:
    for kind, tag in (("trk", "trkpt"), ("rte", "rtept")):
        summary = parse_route(_gpx(_points_xml(tag, SYDNEY_POINTS, elevation=False), kind=kind))
        assert summary.elevation_gain_m is None
        assert summary.distance_km > 1


def test_the_gap_between_two_track_segments_is_not_ridden_distance() -> None:
    near = _points_xml("trkpt", SYDNEY_POINTS[:2])
    far = _points_xml("trkpt", [(-33.70, 151.30, 10.0), (-33.702, 151.30, 12.0)])
    both = (
        '<?xml version="1.0"?><gpx version="1.1" creator="x" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{near}</trkseg>'
        f"<trkseg>{far}</trkseg></trk></gpx>"
    ).encode()
    first = parse_route(_gpx(near)).distance_km
    second = parse_route(_gpx(far)).distance_km

    assert parse_route(both).distance_km == pytest.approx(first + second, abs=0.011)
