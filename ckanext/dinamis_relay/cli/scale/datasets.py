"""Step 0: the DINAMIS imagery datasets, with footprints, published by DINAMIS.

SPOT 6/7 scenes (60 km by 60 km) and Pléiades scenes (20 km by 20 km) tilted along the
satellite's track, over Nouvelle-Aquitaine at regional scale and over metropolitan France at
national scale, acquired over ten years, with their sensor and cloud cover: what the coverage
search reads (ckanext-spatial's `spatial` extra as GeoJSON, `acquisition_date`, `sensor`,
`cloud_cover`, `dinamis_licence`). Each has one to three resources, the targets of the
generated downloads. The rows are written with COPY (store.py) and then indexed through
CKAN's own indexer, so the search index holds what `package_create` would have put there
(with the envelope fields of ckanext-spatial when `spatial_metadata` is loaded).
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

from .base import GeneratorBase
from .vocabulary import DAY, PREFIX

# West, south, east, north (degrees).
REGION = (-1.8, 42.8, 2.6, 47.2)  # Nouvelle-Aquitaine
NATION = (-4.8, 42.3, 8.2, 51.1)  # metropolitan France
NATIONAL_FROM = 2000  # entities: beyond, the platform is national
# Sensor, licence, scene side (km), share of the archive.
SENSORS = (
    ("SPOT 6", "dinamis-spot67", 60.0, 17),
    ("SPOT 7", "dinamis-spot67", 60.0, 17),
    ("Pléiades 1A", "dinamis-pleiades", 20.0, 25),
    ("Pléiades 1B", "dinamis-pleiades", 20.0, 25),
    ("Pléiades Neo 3", "dinamis-pleiades", 14.0, 8),
    ("Pléiades Neo 4", "dinamis-pleiades", 14.0, 8),
)
TRACK_TILT_DEGREES = 12.0  # sun-synchronous orbits cross the latitudes at a slant


def scene(lon: float, lat: float, side_km: float, tilt: float) -> dict[str, Any]:
    """A square scene of `side_km` centred on lon, lat, turned by `tilt` degrees: GeoJSON."""
    half_lat = side_km / 2 / 110.57
    half_lon = side_km / 2 / (111.32 * math.cos(math.radians(lat)))
    cos_t, sin_t = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
    corners = []
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
        x, y = dx * cos_t - dy * sin_t, dx * sin_t + dy * cos_t
        corners.append([round(lon + x * half_lon, 5), round(lat + y * half_lat, 5)])
    return {"type": "Polygon", "coordinates": [corners]}


class Datasets(GeneratorBase):
    """Imagery datasets of DINAMIS's organization, with footprints and resources."""

    def imagery_datasets(self) -> None:
        rng = self.rng
        national = self.sizes.entities >= NATIONAL_FROM
        west, south, east, north = NATION if national else REGION
        names = [s[0] for s in SENSORS]
        weights = [s[3] for s in SENSORS]
        by_name = {s[0]: s for s in SENSORS}
        first_day = self.today - 10 * 365 * DAY
        total = int(self.sizes.datasets or 0)
        for index in range(total):
            sensor, licence, side, _weight = by_name[rng.choices(names, weights)[0]]
            acquired = first_day + rng.randint(0, 10 * 365 - 30) * DAY
            lon, lat = rng.uniform(west, east), rng.uniform(south, north)
            footprint = scene(lon, lat, side, TRACK_TILT_DEGREES + rng.uniform(-2, 2))
            cloud = round(min(100.0, rng.expovariate(1 / 8)), 1)
            family = "spot" if sensor.startswith("SPOT") else "pleiades"
            name = f"{PREFIX}{family}-{acquired.isoformat()}-{index}"
            day = acquired.strftime("%d/%m/%Y")
            title = f"{sensor} — scène du {day} ({lat:.2f} N, {lon:.2f} E)"
            created = datetime.datetime.combine(
                acquired + rng.randint(2, 40) * DAY, datetime.time(9, 0)
            )
            created = min(created, self.now - DAY)
            dataset_id = self.new_id()
            extras = {
                "dinamis_licence": licence,
                "spatial": json.dumps(footprint),
                "acquisition_date": acquired.isoformat(),
                "sensor": sensor,
                "cloud_cover": f"{cloud:g}",
            }
            resources = []
            for position in range(rng.randint(1, 3)):
                kind = ("Ortho", "Primaire", "Aperçu")[position]
                resources.append(
                    (
                        self.new_id(),
                        dataset_id,
                        f"https://imagerie.dinamis.example/{name}/{kind.lower()}.tif",
                        "GeoTIFF",
                        f"{kind} {sensor}",
                        position,
                        created,
                        created,
                        "active",
                    )
                )
            self.datasets.append(
                {
                    "id": dataset_id,
                    "name": name,
                    "title": title,
                    "notes": f"Image {sensor} du programme DINAMIS (licence {licence}).",
                    "owner_org": self.dinamis_id,
                    "creator_user_id": self.sysadmin_id,
                    "created": created,
                    "licence": licence,
                    "extras": extras,
                    "resource_ids": [r[0] for r in resources],
                }
            )
            self.resources.extend(resources)
            self.progress("imagery datasets", index + 1, total)
