"""The maps the dashboard draws (``static/geo``): plain GeoJSON whose features carry our
divisions' codes and names, every prefecture and county covered; and the build tool's
simplification, which keeps a border two shapes share identical on both sides."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tools.build_geojson import SharedSimplifier, douglas_peucker

ROOT = Path(__file__).resolve().parents[3]
GEO = ROOT / "hotline" / "core" / "static" / "geo"
DIVISIONS = ROOT / "hotline" / "organizations" / "data" / "divisions.csv"


def divisions() -> dict[str, dict[str, str]]:
    with DIVISIONS.open(encoding="utf-8") as file:
        return {row["code"]: row for row in csv.DictReader(file)}


def rings(geometry: dict) -> list[list[list[float]]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [ring for polygon in polygons for ring in polygon]


@pytest.mark.parametrize(
    ("name", "level"),
    [("qinghai-prefectures.json", "prefecture"), ("qinghai-counties.json", "county")],
)
def test_every_division_of_the_level_has_a_feature_with_its_code_and_name(name, level):
    collection = json.loads((GEO / name).read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    table = divisions()
    expected = {code for code, row in table.items() if row["level"] == level}
    covered = set()
    for feature in collection["features"]:
        properties = feature["properties"]
        assert properties["level"] == level
        codes = properties["divisions"]
        assert properties["adcode"] == codes[0]
        assert properties["name"] == "、".join(table[code]["name"] for code in codes)
        assert all(table[code]["parent_code"] == properties["parent"] for code in codes)
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        for ring in rings(feature["geometry"]):
            assert len(ring) >= 4 and ring[0] == ring[-1]
            # Inside Qinghai's bounding box.
            assert all(89 < x < 104 and 31 < y < 40 for x, y in ring)
        covered.update(codes)
    assert covered == expected


def test_the_maps_are_small_enough_to_load_on_a_dashboard():
    assert (GEO / "qinghai-prefectures.json").stat().st_size < 300_000
    assert (GEO / "qinghai-counties.json").stat().st_size < 600_000


def test_douglas_peucker_drops_points_within_the_tolerance_and_keeps_the_ends():
    line = [(0.0, 0.0), (1.0, 0.001), (2.0, 0.0), (3.0, 1.0)]
    assert douglas_peucker(line, 0.01) == [(0.0, 0.0), (2.0, 0.0), (3.0, 1.0)]
    assert douglas_peucker(line, 2.0) == [(0.0, 0.0), (3.0, 1.0)]


def test_a_shared_border_stays_identical_in_both_neighbours():
    # Two squares sharing a wiggly vertical border x = 1.
    border = [(1.0, 0.0), (1.001, 0.25), (1.0, 0.5), (0.999, 0.75), (1.0, 1.0)]
    left = [(0.0, 0.0), *border, (0.0, 1.0), (0.0, 0.0)]
    right = [*border[::-1], (2.0, 1.0), (2.0, 0.0), (1.0, 0.0)]
    simplifier = SharedSimplifier([left, right], tolerance=0.01)
    simple_left, simple_right = simplifier.simplify(left), simplifier.simplify(right)
    shared = set(simple_left) & set(simple_right)
    assert shared == {(1.0, 0.0), (1.0, 1.0)}  # the wiggle is gone on both sides alike
    assert simple_left[0] == simple_left[-1] and simple_right[0] == simple_right[-1]
