#!/usr/bin/env python3
"""`frontline sql` over Parquet against Apache SedonaDB, in one run.

A seeded Parquet file of N points (10 M by default: `lon`, `lat` doubles
uniform over the region's box, `date` DATE uniform over 1994-2024; Snappy,
row groups of 1 M) is generated here with numpy + pyarrow. Then:

1. count by controller with each row's own date, whole `frontline sql`
   process (rows/s, median of 5 runs):
   SELECT fl_controller(lon, lat, date) AS c, count(*) FROM 'P' GROUP BY c
2. count by controller on one date (2020-12-01): whole `frontline sql`
   process against SedonaDB joining the same Parquet with the same zones
   (`frontline export --at 2020-12-01 -o zones.csv`, WKT), inside one
   Python process (connect, read, join, count; median of 3 runs), the
   counts of both compared controller by controller.

Usage (frontline built with the `sql` feature):
    cargo build --release --features sql --bin frontline
    pip install sedonadb pandas pyarrow geoarrow-pyarrow numpy
    python3 benches/peers/sql_parquet.py [--rows N]
"""
import os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
FRONTLINE = os.environ.get("FRONTLINE", os.path.join(TARGET, "release", "frontline"))
ROWS = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 10_000_000
DATE = "2020-12-01"

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# SedonaDB hands its results to pandas through geoarrow-pyarrow; without it
# the script would stop only after the frontline runs.
try:
    import sedonadb
    import geoarrow.pyarrow  # noqa: F401
except ImportError as missing:
    sys.exit(f"{missing}: pip install sedonadb pandas pyarrow geoarrow-pyarrow numpy")

tmp = tempfile.mkdtemp(prefix="frontline-sql-")
points = os.path.join(tmp, "points.parquet")
rng = np.random.default_rng(0x5EED)
first = np.datetime64("1994-01-01").astype("int64")
last = np.datetime64("2024-12-31").astype("int64")
start = time.perf_counter()
writer = None
for offset in range(0, ROWS, 1 << 20):
    n = min(1 << 20, ROWS - offset)
    table = pa.table({
        "lon": 45.0 + rng.random(n) * 2.9,
        "lat": 38.8 + rng.random(n) * 2.0,
        "date": pa.array(rng.integers(first, last + 1, n).astype("int32"), pa.date32()),
    })
    if writer is None:
        writer = pq.ParquetWriter(points, table.schema, compression="snappy")
    writer.write_table(table, row_group_size=1 << 20)
writer.close()
print(f"{ROWS:,} rows generated in {time.perf_counter() - start:.1f} s: "
      f"{os.path.getsize(points) / 1e6:.0f} MB", flush=True)


def sql(query):
    out = subprocess.run([FRONTLINE, "sql", query, "--format", "csv"], check=True,
                         capture_output=True, text=True).stdout
    rows = [line.split(",") for line in out.strip().splitlines()[1:]]
    return {c: int(n) for c, n in rows}


def timed(fn, runs):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


dated = f"SELECT fl_controller(lon, lat, date) AS c, count(*) AS n FROM '{points}' GROUP BY c ORDER BY c"
took, best, counts = timed(lambda: sql(dated), 5)
assert sum(counts.values()) == ROWS, counts
print(f"\n1. frontline sql, each row's own date: median {took:.2f} s (best {best:.2f}), "
      f"{ROWS / took / 1e6:.1f} M rows/s")
print("   " + ", ".join(f"{c or '(null)'} {n:,}" for c, n in counts.items()))

one_date = (f"SELECT fl_controller(lon, lat, DATE '{DATE}') AS c, count(*) AS n "
            f"FROM '{points}' GROUP BY c ORDER BY c")
fl_took, fl_best, fl_counts = timed(lambda: sql(one_date), 3)

zones_csv = os.path.join(tmp, "zones.csv")
subprocess.run([FRONTLINE, "export", "--at", DATE, "-o", zones_csv], check=True)
zones = pd.read_csv(zones_csv)[["controller", "wkt"]]


def sedona():
    sd = sedonadb.connect()
    sd.read_parquet(points).to_view("pts")
    sd.create_data_frame(zones).to_view("zr")
    sd.sql("SELECT controller, ST_GeomFromWKT(wkt) AS geom FROM zr").to_view("z")
    result = sd.sql(
        "SELECT z.controller AS c, count(*) AS n FROM pts p "
        "JOIN z ON ST_Intersects(ST_Point(p.lon, p.lat), z.geom) GROUP BY z.controller"
    ).to_pandas()
    return {row.c: int(row.n) for row in result.itertuples()}


sd_took, sd_best, sd_counts = timed(sedona, 3)
print(f"\n2. one date ({DATE}), {ROWS:,} points against its zones:")
print(f"   frontline sql (whole process): median {fl_took:.2f} s (best {fl_best:.2f}), "
      f"{ROWS / fl_took / 1e6:.1f} M rows/s")
print(f"   SedonaDB join (in process):   median {sd_took:.2f} s (best {sd_best:.2f}), "
      f"{ROWS / sd_took / 1e6:.1f} M rows/s")
print(f"   ratio (SedonaDB / frontline, medians): {sd_took / fl_took:.1f}x")
inside = {c: n for c, n in fl_counts.items() if c}
diff = {c: (inside.get(c, 0), sd_counts.get(c, 0)) for c in set(inside) | set(sd_counts)
        if inside.get(c, 0) != sd_counts.get(c, 0)}
print(f"   counts: frontline {inside}")
print(f"           SedonaDB  {sd_counts}")
print(f"   controllers whose counts differ (boundary points): {diff or 'none'}")
