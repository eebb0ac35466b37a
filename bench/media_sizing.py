"""The media processor's sizing from its worst case: the largest image an upload may be
(just under `MAX_PIXELS`, 40 MP) decoded and published in every logo size, in a fresh
interpreter so its peak memory is the work's own. `stacks/consumers.py` sizes the Media
consumer's memory and batch from these figures (a batch is processed one record at a
time, so a batch takes up to its size times one image)."""

import subprocess
import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent

_WORK = """
import io, resource, sys, time
sys.path[:0] = [{repo!r}, {services!r}]
from PIL import Image
from media.images import MAX_PIXELS, decode, renditions
from shared.domain.media import LOGO_SIZES
width = 7744
height = MAX_PIXELS // width - 1
small = Image.effect_noise((width // 4, height // 4), 64).convert("RGB")
out = io.BytesIO()
small.resize((width, height)).save(out, "JPEG", quality=85)
data = out.getvalue()
del small, out
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
renditions(decode(data, "image/jpeg"), LOGO_SIZES)
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(width * height, len(data), took, idle, peak)
"""


def measure() -> tuple[int, int, float, int]:
    """(pixels, JPEG bytes, seconds for one image, peak RSS in MB)."""
    code = _WORK.format(repo=str(_REPO), services=str(_REPO / "services"))
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    pixels, size, took, _, peak = answer.stdout.split()
    return int(pixels), int(size), float(took), int(peak) // 1024


def report(measured: tuple[int, int, float, int]) -> str:
    pixels, size, took, peak = measured
    return (
        f"  {pixels / 1e6:.1f} MP JPEG of {size / 1e6:.1f} MB: {took:.2f} s for one image, "
        f"peak {peak} MB (this machine; Lambda's arm64 at 1,536 MB is about one vCPU)"
    )


if __name__ == "__main__":
    print(report(measure()))
