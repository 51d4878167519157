#!/usr/bin/env python3
"""Writes the malformed/unusual GeoJSON corpus and `expected.tsv`.

Each row of expected.tsv: file, outcome (ok | repaired | refused), and a
fragment the result's message must contain. Run from this directory:
    python3 make_corpus.py
"""
import gzip, io, json, struct

SQUARE = [[30, 48], [31, 48], [31, 49], [30, 49], [30, 48]]
rows = []

def poly(ring=SQUARE, *holes):
    return {"type": "Polygon", "coordinates": [ring, *holes]}

def feature(geometry, properties=None):
    return {"type": "Feature", "properties": properties if properties is not None else {}, "geometry": geometry}

def fc(*features, **extra):
    return {"type": "FeatureCollection", "features": list(features), **extra}

def write(name, value, outcome, fragment):
    data = value if isinstance(value, bytes) else (value if isinstance(value, str) else json.dumps(value)).encode()
    with open(name, "wb") as f:
        f.write(data)
    rows.append((name, outcome, fragment))

# Accepted as they are
write("ok_feature_collection.geojson", fc(feature(poly())), "ok", "")
write("ok_bare_polygon.geojson", poly(), "ok", "")
write("ok_bare_feature.geojson", feature(poly()), "ok", "")
write("ok_multipolygon.geojson", {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[32, 48], [33, 48], [33, 49], [32, 48]]]]}, "ok", "")
write("ok_with_hole.geojson", poly(SQUARE, [[30.2, 48.2], [30.2, 48.4], [30.4, 48.4], [30.2, 48.2]]), "ok", "")
write("ok_crs84.geojson", fc(feature(poly()), crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}), "ok", "")
write("ok_epsg4326.geojson", fc(feature(poly()), crs={"type": "name", "properties": {"name": "EPSG:4326"}}), "ok", "")
write("ok_3d.geojson", poly([[x, y, 120.5] for x, y in SQUARE]), "ok", "")
write("ok_geometry_collection.geojson", {"type": "GeometryCollection", "geometries": [poly()]}, "ok", "")
write("ok_overlapping_features.geojson", fc(feature(poly()), feature(poly([[30.5, 48], [31.5, 48], [31.5, 49], [30.5, 49], [30.5, 48]]))), "ok", "")
write("ok_clockwise.geojson", poly(list(reversed(SQUARE))), "ok", "")
write("ok_foreign_members.geojson", fc(feature(poly(), {"name": "x", "nested": {"a": [1, 2]}}), title="t", bbox=[30, 48, 31, 49]), "ok", "")
write("ok_bom_free_whitespace.geojson", "\n\n  " + json.dumps(poly()) + "\n\n", "ok", "")

# Repaired (and refused under --strict)
write("repair_unclosed_ring.geojson", poly(SQUARE[:-1]), "repaired", "not closed")
write("repair_repeated_points.geojson", poly([[30, 48], [31, 48], [31, 48], [31, 49], [30, 49], [30, 49], [30, 48]]), "repaired", "repeated consecutive position")
write("repair_bowtie.geojson", poly([[30, 48], [31, 49], [31, 48], [30, 49], [30, 48]]), "repaired", "rebuilt with the even-odd rule")
write("repair_null_geometry.geojson", fc(feature(poly()), {"type": "Feature", "properties": {}, "geometry": None}), "repaired", "null geometry")
write("repair_empty_polygon.geojson", fc(feature(poly()), feature({"type": "Polygon", "coordinates": []})), "repaired", "empty Polygon")
write("repair_empty_multipolygon.geojson", fc(feature(poly()), feature({"type": "MultiPolygon", "coordinates": []})), "repaired", "empty MultiPolygon")
write("repair_degenerate_hole.geojson", poly(SQUARE, [[30.2, 48.2], [30.3, 48.3], [30.2, 48.2]]), "repaired", "ring 1 has fewer than 3 distinct positions")
write("repair_spike.geojson", poly([[30, 48], [31, 48], [31, 49], [31, 50], [31, 49], [30, 49], [30, 48]]), "repaired", "rebuilt with the even-odd rule")
write("repair_hole_outside.geojson", poly(SQUARE, [[35, 48], [36, 48], [36, 49], [35, 48]]), "repaired", "rebuilt with the even-odd rule")

# Refused, with the reason
write("refuse_point.geojson", {"type": "Point", "coordinates": [30, 48]}, "refused", "expected Polygon or MultiPolygon, found Point")
write("refuse_linestring_feature.geojson", fc(feature(poly()), feature({"type": "LineString", "coordinates": [[30, 48], [31, 49]]})), "refused", "feature 1: field `geometry`: expected Polygon or MultiPolygon, found LineString")
write("refuse_nan.geojson", '{"type": "Polygon", "coordinates": [[[30, 48], [NaN, 48], [31, 49], [30, 48]]]}', "refused", "expected GeoJSON")
write("refuse_string_coordinate.geojson", poly([[30, 48], ["31", 48], [31, 49], [30, 48]]), "refused", "expected finite numbers")
write("refuse_swapped_axes.geojson", poly([[48, 30], [48, 31], [49, 131], [48, 30]]), "refused", "axes look swapped")
write("refuse_latitude_range.geojson", poly([[30, 48], [31, 95], [31, 49], [30, 48]]), "refused", "latitude 95 is outside [-90, 90]")
write("refuse_longitude_range.geojson", poly([[30, 48], [231, 48], [31, 49], [30, 48]]), "refused", "longitude 231 is outside [-180, 180]")
write("refuse_one_number_position.geojson", poly([[30, 48], [31], [31, 49], [30, 48]]), "refused", "expected [lon, lat], found 1 number(s)")
write("refuse_other_crs.geojson", fc(feature(poly()), crs={"type": "name", "properties": {"name": "EPSG:3857"}}), "refused", "reproject the file to WGS 84")
write("refuse_unknown_type.geojson", {"type": "Topology", "objects": {}}, "refused", "expected Polygon or MultiPolygon, found Topology")
write("refuse_no_type.geojson", {"features": []}, "refused", "expected a `type` member")
write("refuse_features_not_array.geojson", {"type": "FeatureCollection", "features": {}}, "refused", "expected a `features` array")
write("refuse_top_level_array.geojson", [poly()], "refused", "expected a GeoJSON object, found an array")
write("refuse_truncated.geojson", json.dumps(fc(feature(poly())))[:40], "refused", "expected GeoJSON")
write("refuse_empty_file.geojson", b"", "refused", "expected GeoJSON")
write("refuse_invalid_utf8.geojson", b'{"type": "Feature", "properties": {"name": "\xff\xfe"}, "geometry": null}', "refused", "expected GeoJSON")
write("refuse_deeply_nested.geojson", "[" * 5000 + "]" * 5000, "refused", "recursion limit")
write("refuse_coordinates_not_array.geojson", {"type": "Polygon", "coordinates": "30 48, 31 48"}, "refused", "expected an array, found a string")
write("refuse_feature_wrong_type.geojson", fc({"type": "Fetaure", "geometry": poly()}), "refused", "feature 0: field `type`: expected \"Feature\"")

# gzip: fine, and one whose trailer claims 2 GiB (never trusted)
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
    g.write(json.dumps(fc(feature(poly()))).encode())
write("ok_gzipped.geojson.gz", buf.getvalue(), "ok", "")
claims = bytearray(buf.getvalue())
claims[-4:] = struct.pack("<I", 0x7FFFFFFF)
write("refuse_gzip_claims_2gb.geojson.gz", bytes(claims), "refused", "cannot read")
write("refuse_not_gzip.geojson.gz", b"this is not gzip", "refused", "cannot read")

with open("expected.tsv", "w") as f:
    f.write("file\toutcome\tmessage contains\n")
    for name, outcome, fragment in rows:
        f.write(f"{name}\t{outcome}\t{fragment}\n")
print(len(rows), "files")
