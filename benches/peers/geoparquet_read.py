#!/usr/bin/env python3
"""The Parquet files frontline writes, read by pyarrow and GeoPandas.

`export -o zones.parquet`, `timeline -o zones_timeline.parquet`,
`classify points.parquet -o classified.parquet` and `sql "SELECT … FROM
fl_zones(…)" -o from_sql.parquet` (frontline built with the `sql`
feature), then each file opened the way people would:
GeoPandas sees a GeoDataFrame in OGC:CRS84 with the zones' geometries
(their geodesic areas, by pyproj, equal `area_km2` to 0.01 %), the bbox
covering column matches the geometries' bounds, the timeline gives each
date's zones by a range filter, and the classified file has every input
row with the appended columns.

Usage:
    cargo build --release --features sql --bin frontline
    pip install pyarrow geopandas pyproj numpy
    python3 benches/peers/geoparquet_read.py
"""
import atexit, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
FRONTLINE = os.environ.get("FRONTLINE", os.path.join(TARGET, "release", "frontline"))

import datetime, json
import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pyproj import Geod

tmp = tempfile.mkdtemp(prefix="frontline-geoparquet-")
atexit.register(shutil.rmtree, tmp, ignore_errors=True)
run = lambda *args: subprocess.run([FRONTLINE, *args], check=True)

zones = os.path.join(tmp, "zones.parquet")
run("export", "--at", "2020-12-01", "-o", zones)
geo = json.loads(pq.read_metadata(zones).metadata[b"geo"])
assert geo["version"] == "1.1.0", geo["version"]
frame = gpd.read_parquet(zones)
assert frame.crs is not None and frame.crs.to_string() in ("OGC:CRS84", "EPSG:4326"), frame.crs
assert set(frame.geom_type) == {"MultiPolygon"}, set(frame.geom_type)
assert frame.is_valid.all()
geod = Geod(ellps="WGS84")
for row in frame.itertuples():
    km2 = abs(geod.geometry_area_perimeter(row.geometry.segmentize(0.01))[0]) / 1e6
    assert abs(km2 - row.area_km2) <= 1e-4 * row.area_km2 + 0.01, (row.controller, km2, row.area_km2)
bounds = frame.geometry.bounds
bbox = pq.read_table(zones, columns=["bbox"]).column("bbox").combine_chunks()
assert np.allclose(bounds["minx"], bbox.field("xmin")) and np.allclose(bounds["maxy"], bbox.field("ymax"))
print(f"zones.parquet: {len(frame)} zones, CRS {frame.crs.to_string()}, areas and bboxes agree")

timeline = os.path.join(tmp, "zones_timeline.parquet")
run("timeline", "-o", timeline)
frame = gpd.read_parquet(timeline)
# GEOS's validity, as PostGIS and QGIS see it, of every snapshot's zones
# at the default precision.
invalid = frame[~frame.is_valid]
assert invalid.empty, [(r.controller, str(r.valid_from)) for r in invalid.itertuples()]
table = pq.read_table(timeline)
assert table.schema.field("valid_from").type == pa.date32(), table.schema
day = datetime.date(2021, 6, 1)
valid_from = table.column("valid_from").to_pylist()
valid_to = table.column("valid_to").to_pylist()
in_force = [c for c, f, t in zip(table.column("controller").to_pylist(), valid_from, valid_to)
            if f <= day and (t is None or day < t)]
print(f"zones_timeline.parquet: {len(frame)} rows over {len(set(valid_from))} snapshots; "
      f"on {day}: {sorted(in_force)}")
that_day = os.path.join(tmp, "zones_2021.parquet")
run("export", "--at", str(day), "-o", that_day)
assert sorted(in_force) == sorted(gpd.read_parquet(that_day).controller), in_force

points = os.path.join(tmp, "points.parquet")
rng = np.random.default_rng(7)
n = 200_000
pq.write_table(pa.table({
    "id": np.arange(n),
    "lon": 45.0 + rng.random(n) * 2.9,
    "lat": 38.8 + rng.random(n) * 2.0,
    "date": pa.array([datetime.date(2021, 6, 1)] * n, pa.date32()),
}), points)
classified = os.path.join(tmp, "classified.parquet")
run("classify", points, "-o", classified, "--date-col", "date")
out = pq.read_table(classified)
assert out.num_rows == n and out.column("id").to_pylist() == list(range(n))
assert out.column_names[-5:] == ["controller", "de_jure", "rayon", "overlays", "error"], out.column_names
counts = out.group_by("controller").aggregate([("id", "count")]).to_pylist()
print(f"classified.parquet: {out.num_rows:,} rows, per controller {counts}")
from_sql = os.path.join(tmp, "from_sql.parquet")
run("sql", "SELECT controller, area_km2, geometry FROM fl_zones('2020-12-01')", "-o", from_sql)
frame = gpd.read_parquet(from_sql)
assert frame.crs is not None and set(frame.geom_type) == {"MultiPolygon"}, (frame.crs, set(frame.geom_type))
assert frame.is_valid.all()
assert sorted(frame.controller) == sorted(gpd.read_parquet(zones).controller)
print(f"from_sql.parquet: {len(frame)} zones from fl_zones, CRS {frame.crs.to_string()}")
print("all Parquet outputs read back by pyarrow and GeoPandas")
