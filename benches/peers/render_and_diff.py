#!/usr/bin/env python3
"""Whole-process timings against the peers, in one run, with the ratios.

- `frontline render` of the 1994-05-12 and 2020-12-01 maps (PNG and SVG)
  against mapshaper turning the two Natural Earth admin-1 files into a bare
  SVG (no legend, labels or zones).
- `frontline diff 1994-05-12 -> 2020-12-01` against shapely 2's overlay of the
  same zones, exported by `frontline export` (intersection of every pair of
  zones; planar areas only, so shapely does less work than frontline, which
  also measures geodesic areas).

Usage (from the repository root, after `cargo build --release -p frontline-cli`):
    python3 benches/peers/render_and_diff.py [path/to/mapshaper]
Needs: shapely>=2 (pip), mapshaper 0.7 (npm) for the render comparison.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRONTLINE = os.environ.get("FRONTLINE", os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "frontline"))
RUNS = 15


def timed(cmd, runs=RUNS):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    tmp = tempfile.mkdtemp(prefix="frontline-peers-")
    rows = []
    for date in ["1994-05-12", "2020-12-01"]:
        for ext in ["svg", "png"]:
            t = timed([FRONTLINE, "render", "--at", date, "-o", os.path.join(tmp, f"map.{ext}")])
            rows.append((f"frontline render --at {date} -o map.{ext} (1200x900)", t))
    mapshaper = sys.argv[1] if len(sys.argv) > 1 else shutil.which("mapshaper")
    if mapshaper:
        ne = os.path.join(ROOT, "data", "sources", "natural-earth")
        cmd = [mapshaper, "-i", os.path.join(ne, "ne_10m_admin_1_armenia.geojson"), os.path.join(ne, "ne_10m_admin_1_azerbaijan.geojson"), "combine-files", "-o", os.path.join(tmp, "ne.svg"), "format=svg"]
        rows.append(("mapshaper: the two NE admin-1 files to a bare SVG", timed(cmd)))
    for label, t in rows:
        print(f"{t * 1000:8.1f} ms  {label}")
    if mapshaper:
        peer = rows[-1][1]
        for label, t in rows[:-1]:
            print(f"  ratio mapshaper / frontline ({label.split(' -o ')[0].split('--at ')[1]}, {label.split('.')[-1].split(' ')[0]}): {peer / t:.1f}x")

    # Diff against shapely's overlay of the same exported zones.
    import shapely
    from shapely.geometry import shape
    files = {}
    for date in ["1994-05-12", "2020-12-01"]:
        files[date] = os.path.join(tmp, f"zones-{date}.geojson")
        subprocess.run([FRONTLINE, "export", "--at", date, "--layer", "zones", "-o", files[date]], check=True)
    load = lambda path: [(f["properties"]["controller"], shape(f["geometry"])) for f in json.load(open(path))["features"]]

    def overlay(a, b):
        return [(ca, cb, shapely.area(shapely.intersection(ga, gb))) for ca, ga in a for cb, gb in b]

    zones = {date: load(path) for date, path in files.items()}
    overlay_only, with_load = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        overlay(zones["1994-05-12"], zones["2020-12-01"])
        overlay_only.append(time.perf_counter() - start)
        start = time.perf_counter()
        overlay(load(files["1994-05-12"]), load(files["2020-12-01"]))
        with_load.append(time.perf_counter() - start)
    script = f"import json,shapely\nfrom shapely.geometry import shape\nL=lambda p:[shape(f['geometry']) for f in json.load(open(p))['features']]\na,b=L({files['1994-05-12']!r}),L({files['2020-12-01']!r})\n[shapely.area(shapely.intersection(x,y)) for x in a for y in b]\n"
    peer_process = timed([sys.executable, "-c", script])
    ours = timed([FRONTLINE, "diff", "--from", "1994-05-12", "--to", "2020-12-01", "--format", "json"])
    startup = timed([FRONTLINE, "snapshots"])
    print(f"{ours * 1000:8.1f} ms  frontline diff 1994-05-12 -> 2020-12-01, whole process (geodesic areas; {startup * 1000:.1f} ms of it is start-up and loading)")
    print(f"{peer_process * 1000:8.1f} ms  shapely {shapely.__version__}: the same overlay as a whole Python process reading the exported zones")
    print(f"{statistics.median(with_load) * 1000:8.1f} ms  shapely, in-process, reading the exported zones (planar areas)")
    print(f"{statistics.median(overlay_only) * 1000:8.1f} ms  shapely, in-process, overlay only of polygons already loaded (planar areas)")
    print(f"  ratio shapely process / frontline process: {peer_process / ours:.1f}x")
    print(f"  ratio shapely in-process with reading / frontline process: {statistics.median(with_load) / ours:.1f}x")
    print(f"  ratio shapely overlay only / frontline compute (process less start-up): {statistics.median(overlay_only) / (ours - startup):.1f}x")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
