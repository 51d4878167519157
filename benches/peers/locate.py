#!/usr/bin/env python3
"""Point location against the peers a user would pick, on the very same
polygons and points, in one run, with the ratios; then batch classify of a
large CSV (rows/s and peak memory).

1 M uniformly random points (seeded) over the region's bounding box go to a
binary file that every contender reads; the zones of the snapshot come from
`frontline export`.
- frontline: the grid (`index::LocateIndex`), point by point, and in batches
  (`controllers_into`) on one core and on all cores (examples/locate_points.rs,
  best of twenty runs); ratios compare one core with one core, all with all;
- shapely 2: `STRtree.query(points, predicate="within")` and prepared
  `contains_xy`, zone by zone (one core, as shapely runs);
- Apache SedonaDB (if installed): `SELECT count(*) FROM pts p JOIN zones z
  ON ST_Intersects(p.geom, z.geom)` over in-memory tables (all cores).
Then `frontline classify` of seeded CSVs of 1 M and 10 M rows, and of a
1 M-feature GeoJSON FeatureCollection, with dates spread over 1994–2023,
under /usr/bin/time -v: rows/s and peak resident memory (the same peak at
both sizes shows the streaming).

Usage (after cargo build --release -p frontline-cli and
cargo build --release -p frontline --example locate_points):
    python3 benches/peers/locate.py [DATE] [--rows N]
"""
import json, os, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
FRONTLINE = os.environ.get("FRONTLINE", os.path.join(TARGET, "release", "frontline"))
LOCATE_POINTS = os.path.join(TARGET, "release", "examples", "locate_points")
args = [a for a in sys.argv[1:] if not a.startswith("--")]
DATE = args[0] if args else "2020-12-01"
BIG = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 10_000_000
N = 1_000_000

import numpy as np
import shapely
from shapely.geometry import shape

tmp = tempfile.mkdtemp(prefix="frontline-locate-")
zones_path = os.path.join(tmp, "zones.geojson")
subprocess.run([FRONTLINE, "export", "--at", DATE, "--layer", "zones", "-o", zones_path], check=True)
features = json.load(open(zones_path))["features"]
names = [f["properties"]["controller"] for f in features]
zones = [shape(f["geometry"]) for f in features]
rng = np.random.default_rng(0x5EED)
xs = 43.4 + rng.random(N) * (50.0 - 43.4)
ys = 38.3 + rng.random(N) * (41.95 - 38.3)
points_path = os.path.join(tmp, "points.f64")
np.column_stack([xs, ys]).astype("<f8").tofile(points_path)


def best_of(fn, runs=3):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        took = time.perf_counter() - start
        if best is None or took < best[0]:
            best = (took, result)
    return best


ours = json.loads(subprocess.run([LOCATE_POINTS, points_path, DATE], check=True, capture_output=True, text=True).stdout)
print(f"{N:,} points, snapshot in force on {DATE}, {len(zones)} zones")
print(f"frontline grid, point by point, one core: {ours['point_by_point_mpts']:.2f} M points/s ({ours['hits']} hits)")
print(f"frontline grid, batch, one core: {ours['one_core_mpts']:.2f} M points/s")
print(f"frontline grid, batch, all {ours['threads']} cores: {ours['all_cores_mpts']:.2f} M points/s")

points = shapely.points(xs, ys)
tree = shapely.STRtree(zones)
t_tree, (pi, zi) = best_of(lambda: tree.query(points, predicate="within"))
for z in zones:
    shapely.prepare(z)
t_contains, hits = best_of(lambda: sum(int(shapely.contains_xy(z, xs, ys).sum()) for z in zones))
rows = [
    (f"shapely {shapely.__version__} STRtree.query(within), one core", N / t_tree / 1e6, len(pi), ours["one_core_mpts"]),
    (f"shapely {shapely.__version__} prepared contains_xy, one core", N / t_contains / 1e6, hits, ours["one_core_mpts"]),
]
try:
    import pandas as pd, sedonadb
    sd = sedonadb.connect()
    sd.create_data_frame(pd.DataFrame({"wkt": [z.wkt for z in zones], "controller": names})).to_view("zones_wkt")
    sd.create_data_frame(pd.DataFrame({"x": xs, "y": ys})).to_view("pts_xy")
    sd.sql("SELECT controller, ST_GeomFromWKT(wkt) AS geom FROM zones_wkt").to_memtable().to_view("zones")
    sd.sql("SELECT ST_Point(x, y) AS geom FROM pts_xy").to_memtable().to_view("pts")
    t_sedona, count = best_of(lambda: sd.sql("SELECT count(*) AS n FROM pts p JOIN zones z ON ST_Intersects(p.geom, z.geom)").to_pandas())
    version = getattr(sedonadb, "__version__", "?")
    rows.append((f"SedonaDB {version} ST_Intersects join, all cores", N / t_sedona / 1e6, int(count.iloc[0, 0]), ours["all_cores_mpts"]))
except Exception as error:  # not installed, or an API it does not have
    print(f"SedonaDB: not measured ({type(error).__name__}: {error})")
for name, mpts, found, mine in rows:
    agree = "same hits" if found == ours["hits"] else f"{found} hits vs {ours['hits']}"
    print(f"{name}: {mpts:.2f} M points/s ({agree}); frontline {mine / mpts:.1f}x")


def classify(rows, geojson=False):
    """A seeded CSV (or GeoJSON FeatureCollection) of `rows` rows, classified
    by the CLI under /usr/bin/time -v."""
    path = os.path.join(tmp, f"rows-{rows}.{'geojson' if geojson else 'csv'}")
    dates = np.array(["1994-06-01", "2020-11-15", "2021-06-01", "2022-10-01", "2023-10-01"])
    g = np.random.default_rng(rows)
    with open(path, "w") as f:
        f.write('{"type": "FeatureCollection", "features": [\n' if geojson else "id,lat,lon,when\n")
        for start in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - start)
            lat = 38.3 + g.random(n) * 3.65
            lon = 43.4 + g.random(n) * 6.6
            when = dates[g.integers(0, len(dates), n)]
            if geojson:
                f.write(",\n".join(
                    f'{{"type": "Feature", "properties": {{"id": {start + i}, "when": "{d}"}}, '
                    f'"geometry": {{"type": "Point", "coordinates": [{b:.6f}, {a:.6f}]}}}}'
                    for i, (a, b, d) in enumerate(zip(lat, lon, when))))
                f.write(",\n" if start + n < rows else "\n]}\n")
            else:
                f.write("".join(f"{start + i},{a:.6f},{b:.6f},{d}\n" for i, (a, b, d) in enumerate(zip(lat, lon, when))))
    size = os.path.getsize(path)
    out = os.path.join(tmp, "classified." + ("geojson" if geojson else "csv"))
    run = subprocess.run(["/usr/bin/time", "-v", FRONTLINE, "classify", path, "-o", out, "--date-col", "when"],
                         check=True, capture_output=True, text=True)
    wall = run.stderr.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    peak_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)) / 1024
    with open(out, "rb") as f:
        lines = sum(1 for _ in f) - (2 if geojson else 1)
    summary = run.stderr.strip().splitlines()[0]
    print(f"frontline classify {rows:,} {'GeoJSON features' if geojson else 'CSV rows'} ({size / 1e6:.0f} MB in): {rows / seconds / 1e6:.2f} M rows/s, "
          f"{seconds:.1f} s, peak memory {peak_mb:.0f} MB; {lines:,} rows out; {summary}")
    os.remove(path)
    os.remove(out)


for rows in sorted({1_000_000, BIG}):
    classify(rows)
classify(1_000_000, geojson=True)
