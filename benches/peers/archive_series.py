#!/usr/bin/env python3
"""`frontline series` over a dated archive against a plain Python pass over
the same files, in one run, with the ratio.

The archive (770 GeoJSON files, one MultiPolygon of about 30,000 vertices
each) is the one `cargo bench -p frontline --bench archive_series` writes
into target/frontline-bench-archive-770/.

- Python: for each file in date order, json.load, shapely `shape` of every
  feature's geometry, `unary_union` when a file has more than one feature,
  and pyproj's geodesic area on WGS 84 (`Geod.geometry_area_perimeter`); one
  process, one core, as such a script runs.
- frontline: `frontline --archive DIR --side Blue series --from .. --to ..`
  as a whole process (both cores), which also checks every polygon's
  validity; and the same pinned to one core (RAYON_NUM_THREADS=1).

Both answers are compared: every day's area must agree to 1e-6 (pyproj
measures geodesic edges, frontline edges straight in lon/lat; at vertices
tens of metres apart they part by far less).

Usage (after cargo build --release -p frontline-cli and the bench above):
    python3 benches/peers/archive_series.py [--runs N]
"""
import csv, glob, io, json, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
FRONTLINE = os.environ.get("FRONTLINE", os.path.join(TARGET, "release", "frontline"))
ARCHIVE = os.path.join(ROOT, "target", "frontline-bench-archive-770")
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3

from pyproj import Geod
import shapely
from shapely.geometry import shape
from shapely.ops import unary_union

files = sorted(glob.glob(os.path.join(ARCHIVE, "*.geojson")))
if len(files) != 770:
    sys.exit(f"expected 770 files in {ARCHIVE}, found {len(files)}: run the bench first")


def python_pass():
    geod = Geod(ellps="WGS84")
    areas = []
    for path in files:
        with open(path) as f:
            data = json.load(f)
        geometries = [shape(feature["geometry"]) for feature in data["features"]]
        geometry = unary_union(geometries) if len(geometries) > 1 else geometries[0]
        area, _ = geod.geometry_area_perimeter(geometry)
        areas.append(abs(area) / 1e6)
    return areas


def frontline(threads=None):
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    out = subprocess.run(
        [FRONTLINE, "--archive", ARCHIVE, "--side", "Blue", "series",
         "--from", "2022-02-24", "--to", "2024-12-31"],
        check=True, capture_output=True, text=True, env=env).stdout
    rows = list(csv.reader(io.StringIO(out)))
    column = rows[0].index("blue")
    return [float(r[column]) for r in rows[1:]]


def best_of(fn, runs):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        took = time.perf_counter() - start
        if best is None or took < best[0]:
            best = (took, result)
    return best


size = sum(os.path.getsize(f) for f in files)
print(f"{len(files)} files, {size / 1e6:.0f} MB; best of {RUNS} runs each; "
      f"python {sys.version.split()[0]}, shapely {shapely.__version__}, "
      f"pyproj {__import__('pyproj').__version__}")
fl_time, fl_areas = best_of(frontline, RUNS)
fl1_time, fl1_areas = best_of(lambda: frontline(1), RUNS)
py_time, py_areas = best_of(python_pass, RUNS)
assert len(fl_areas) == len(py_areas) == len(fl1_areas)
worst = max(abs(a - b) / b for a, b in zip(fl_areas, py_areas))
assert worst < 1e-6, f"areas differ by {worst:.2e}"
assert fl_areas == fl1_areas
print(f"areas agree with pyproj to {worst:.1e} (largest relative difference)")
print(f"python (json + shapely + pyproj), one core: {py_time:.2f} s")
print(f"frontline series, both cores:               {fl_time:.2f} s  ({py_time / fl_time:.1f}x faster)")
print(f"frontline series, one core:                 {fl1_time:.2f} s  ({py_time / fl1_time:.1f}x faster)")
