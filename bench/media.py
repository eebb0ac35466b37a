"""Media processing cost: a logo's sizes per source size, a GPX per megabyte and a PDF
cue sheet's check, as ratios to decoding (parsing) the same file alone (in the same run,
so machine noise cancels)."""

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from media.documents import check_pdf
from media.gpx import parse_route
from media.images import decode, renditions
from shared.domain.media import LOGO_SIZES

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "media"


@dataclass
class Cost:
    name: str
    baseline_ms: float
    work_ms: float

    @property
    def ratio(self) -> float:
        return self.work_ms / self.baseline_ms


def _best(run: Callable[[], object], times: int = 5) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples)


def _photo(side: int) -> bytes:
    image = Image.effect_mandelbrot((side, side * 3 // 4), (-2, -1.5, 1, 1.5), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _gpx(megabytes: float) -> bytes:
    lap = (FIXTURES / "centennial_park.gpx").read_text()
    head, _, rest = lap.partition("<trkseg>")
    points, _, tail = rest.partition("</trkseg>")
    copies = max(1, int(megabytes * 1024 * 1024 / len(points)))
    return (head + "<trkseg>" + points * copies + "</trkseg>" + tail).encode()


def measure() -> list[Cost]:
    costs = []
    for side in (800, 2000, 4000):
        photo = _photo(side)

        def decode_only(data: bytes = photo) -> object:
            return Image.open(io.BytesIO(data)).load()

        def process(data: bytes = photo) -> object:
            return renditions(decode(data, "image/jpeg"), LOGO_SIZES)

        costs.append(Cost(f"logo from {side}px JPEG", _best(decode_only), _best(process)))
    data = _gpx(1.0)
    from defusedxml.ElementTree import fromstring

    baseline = _best(lambda: fromstring(data))
    work = _best(lambda: parse_route(data))
    costs.append(Cost(f"GPX, {len(data) / 1e6:.1f} MB", baseline, work))
    sheet = (FIXTURES / "cue_sheet.pdf").read_bytes()

    def parse_only() -> object:
        return len(PdfReader(io.BytesIO(sheet)).pages)

    costs.append(Cost("PDF cue sheet, 1 page", _best(parse_only), _best(lambda: check_pdf(sheet))))
    return costs


def report(costs: list[Cost]) -> str:
    lines = [f"{'work':<24} {'decode ms':>10} {'process ms':>11} {'ratio':>7}"]
    for cost in costs:
        lines.append(
            f"{cost.name:<24} {cost.baseline_ms:>10.1f} {cost.work_ms:>11.1f} {cost.ratio:>6.1f}x"
        )
    return "\n".join(lines)
