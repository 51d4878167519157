#!/usr/bin/env python3
"""Point location against the peers a user would pick, on the same polygons
and points, in one run, with the ratios.

The zones of a snapshot are exported with `frontline export`; 1 M uniformly
random points (seeded) over the region's bounding box are written to a CSV
that `frontline classify` reads. Peers, in-process on the exported zones:
- shapely 2: `STRtree.query(points, predicate="within")` and prepared
  `contains_xy` per zone;
- Apache SedonaDB (if installed): `SELECT count(*) FROM pts p JOIN zones z
  ON ST_Intersects(p.geom, z.geom)` over in-memory tables.
frontline's in-process throughput comes from `cargo bench -p frontline
--bench locate` (run it before; its figures are printed there); this script
times the whole `frontline classify` process on the same points.

Usage: python3 benches/peers/locate.py [DATE]   (after cargo build --release -p frontline-cli)
"""
import json, os, random, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRONTLINE = os.environ.get("FRONTLINE", os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "frontline"))
DATE = sys.argv[1] if len(sys.argv) > 1 else "2020-12-01"
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

def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result

points = shapely.points(xs, ys)
tree = shapely.STRtree(zones)
t_tree, (pi, zi) = timed(lambda: tree.query(points, predicate="within"))
for z in zones:
    shapely.prepare(z)
t_contains, hits = timed(lambda: sum(int(shapely.contains_xy(z, xs, ys).sum()) for z in zones))
print(f"shapely {shapely.__version__} STRtree.query(within): {N / t_tree / 1e6:.2f} M points/s ({len(pi)} hits)")
print(f"shapely prepared contains_xy: {N / t_contains / 1e6:.2f} M points/s ({hits} hits)")

try:
    import pandas as pd, pyarrow as pa, sedonadb
    sd = sedonadb.connect()
    sd.create_data_frame(pd.DataFrame({"wkt": [z.wkt for z in zones], "controller": names})).to_view("zones_wkt")
    sd.create_data_frame(pd.DataFrame({"x": xs, "y": ys})).to_view("pts_xy")
    sd.sql("SELECT controller, ST_GeomFromWKT(wkt) AS geom FROM zones_wkt").to_memtable().to_view("zones")
    sd.sql("SELECT ST_Point(x, y) AS geom FROM pts_xy").to_memtable().to_view("pts")
    t_sedona, count = timed(lambda: sd.sql("SELECT count(*) AS n FROM pts p JOIN zones z ON ST_Intersects(p.geom, z.geom)").to_pandas())
    print(f"SedonaDB {getattr(sedonadb, '__version__', '?')} spatial join: {N / t_sedona / 1e6:.2f} M points/s ({int(count.iloc[0, 0])} hits)")
except Exception as error:  # not installed, or an API it does not have
    print(f"SedonaDB: not measured ({type(error).__name__}: {error})")

csv_path = os.path.join(tmp, "points.csv")
with open(csv_path, "w") as f:
    f.write("lon,lat\n")
    for x, y in zip(xs, ys):
        f.write(f"{x:.6f},{y:.6f}\n")
t_cli, _ = timed(lambda: subprocess.run([FRONTLINE, "classify", csv_path, "-o", os.path.join(tmp, "out.csv"), "--lat-col", "lat", "--lon-col", "lon", "--at", DATE], check=True, stderr=subprocess.DEVNULL))
print(f"frontline classify (whole process, 1 M-row CSV in and out, full locate per row): {N / t_cli / 1e6:.2f} M rows/s")
