"""Step 3: what the accounts do: downloads and imagery requests."""

from __future__ import annotations

import datetime
import io
import math
from collections.abc import Iterable, Iterator
from typing import Any

import ckan.plugins.toolkit as tk

from .base import GeneratorBase
from .vocabulary import COMMENTS, DAY, REQUEST_TOPICS

DOWNLOAD_CHUNK = 200000  # rows per COPY


class Activity(GeneratorBase):
    """Downloads and imagery requests with their threads."""

    def downloads(self, cursor: Any, freeze: bool = False) -> int:
        """Download events by people with an account that was once active, between their
        validation and its end, a few heavy users and many light ones, August quieter.

        Drawn in batches with numpy (ten million rows at national scale take seconds to
        draw, not half an hour), then sorted by time and written with COPY in chunks
        (`freeze`: the table was emptied in this transaction, see `rows._copy`)."""
        import numpy as np

        people = [a for a in self.accounts if a["validated_at"] is not None]
        if not people or not self.sizes.downloads:
            return 0
        rng = self.rng
        weights = list(itertools_accumulate(rng.paretovariate(1.3) for _ in people))
        # The generated imagery datasets (datasets.py) and their resources; a few popular
        # ones take most downloads.
        datasets = [(d["id"], d["resource_ids"], d["licence"]) for d in self.datasets]
        if not datasets:
            for index in range(400):
                licence = "dinamis-pleiades" if index % 3 else "dinamis-spot67"
                datasets.append(
                    (self.new_id(), [self.new_id() for _ in range(rng.randint(1, 3))], licence)
                )
        draw = np.random.default_rng(rng.getrandbits(64))
        epoch = self.start
        span = (self.now - self.start).total_seconds()
        begin = np.array([(a["validated_at"] - epoch).total_seconds() for a in people])
        finish = np.array(
            [
                span if a["state"] == "active" else (a["modified"] - epoch).total_seconds()
                for a in people
            ]
        )
        cumulative = np.array(weights)
        august = np.array(
            [(epoch + datetime.timedelta(days=d)).month == 8 for d in range(int(span // 86400) + 2)]
        )
        target = self.sizes.downloads
        moments: list[Any] = []
        who: list[Any] = []
        have = 0
        while have < target:
            size = max(1000, int((target - have) * 1.6))
            when = draw.random(size) * span
            # Steady growth over the period, August at half speed.
            keep = draw.random(size) <= (0.4 + 0.6 * when / span) * np.where(
                august[(when // 86400).astype(int)], 0.5, 1.0
            )
            when = when[keep]
            person = np.searchsorted(cumulative, draw.random(when.size) * cumulative[-1])
            person = np.minimum(person, len(people) - 1)
            active = (begin[person] <= when) & (when <= finish[person])
            when, person = when[active][: target - have], person[active][: target - have]
            moments.append(when)
            who.append(person)
            have += when.size
            if have == target or when.size >= target // 10:
                self.progress("downloads drawn", have, target, batch=True)
        when = np.concatenate(moments)
        person = np.concatenate(who)
        order = np.argsort(when, kind="stable")
        when, person = when[order], person[order]
        dataset_index = (draw.random(target) ** 2 * len(datasets)).astype(int)
        resource_pick = draw.random(target)
        no_org = draw.random(target) < 0.005
        # A row is "moment, person's part, resource's part": each person's and each
        # resource's text is made once, and numpy joins the three for a chunk of rows (a
        # Python format per row took 40 s for ten million).
        person_part = np.array(
            [f"\t{a['user_id']}\t{a['organization_id']}\t" for a in people], dtype=object
        )
        staff_part = np.array([f"\t{a['user_id']}\t\\N\t" for a in people], dtype=object)
        resource_part = np.array(
            [f"{d}\t{r}\t{licence}\n" for d, resources, licence in datasets for r in resources],
            dtype=object,
        )
        per_dataset = np.array([len(resources) for _d, resources, _l in datasets])
        first_resource = np.concatenate(([0], np.cumsum(per_dataset)[:-1]))
        resource_index = first_resource[dataset_index] + (
            resource_pick * per_dataset[dataset_index]
        ).astype(int)
        start = np.datetime64(epoch.replace(microsecond=0), "s")
        statement = (
            "COPY dinamis_relay_download_event "
            "(created, user_id, organization_id, dataset_id, resource_id, licence) FROM STDIN"
            + (" WITH (FREEZE)" if freeze else "")
        )
        for low in range(0, target, DOWNLOAD_CHUNK):
            high = min(low + DOWNLOAD_CHUNK, target)
            stamps = np.datetime_as_string(
                start + when[low:high].astype("timedelta64[s]"), unit="s"
            ).astype(object)
            who_part = np.where(
                no_org[low:high], staff_part[person[low:high]], person_part[person[low:high]]
            )
            lines = stamps + who_part + resource_part[resource_index[low:high]]
            cursor.copy_expert(statement, io.StringIO("".join(lines.tolist())))
            self.progress("downloads written", high, target, batch=True)
        return target

    def imagery_requests(self) -> None:
        """Requests by a minority of active people, in every state; older ones are mostly
        finished, recent ones still open."""
        rng = self.rng
        people = [a for a in self.accounts if a["validated_at"] is not None and rng.random() < 0.25]
        if not people:
            return
        adhesions = {a["organization_id"]: a for a in self.adhesions if a["is_current"]}
        pattern = tk.config.get("ckanext.dinamis_relay.imagery.number_pattern") or (
            "IMG-{year}-{seq:05d}"
        )
        open_paths = {
            "draft": [],
            "submitted": ["submit"],
            "in_review": ["submit", "review"],
            "forwarded": ["submit", "review", "forward"],
            "accepted": ["submit", "review", "forward", "accept"],
            "in_progress": ["submit", "review", "forward", "accept", "start"],
            "delivered": ["submit", "review", "forward", "accept", "start", "deliver"],
        }
        final_paths = {
            "answered": ["submit", "review", "answer"],
            "closed": ["submit", "review", "forward", "accept", "start", "deliver", "close"],
            "closed_answered": ["submit", "review", "answer", "close"],
            "rejected": ["submit", "review", "reject"],
            "rejected_dinamis": ["submit", "review", "forward", "reject"],
            "cancelled": ["submit", "cancel"],
        }
        to_states = {
            "submit": "submitted",
            "review": "in_review",
            "answer": "answered",
            "forward": "forwarded",
            "accept": "accepted",
            "start": "in_progress",
            "deliver": "delivered",
            "close": "closed",
            "reject": "rejected",
            "cancel": "cancelled",
        }
        rows: list[dict[str, Any]] = []
        span = (self.now - self.start).total_seconds()
        while len(rows) < self.sizes.requests:
            # As for downloads: the moment first (steady growth), then someone whose account
            # was active then.
            created = self.start + datetime.timedelta(seconds=int(rng.random() * span))
            if rng.random() > 0.4 + 0.6 * (created - self.start).total_seconds() / span:
                continue
            account = next(
                (
                    candidate
                    for candidate in rng.choices(people, k=8)
                    if candidate["validated_at"]
                    <= created
                    <= (self.now if candidate["state"] == "active" else candidate["modified"])
                ),
                None,
            )
            if account is None:
                continue
            adhesion = adhesions[account["organization_id"]]
            age = (self.now - created).days
            if age < 60 and rng.random() < 0.6:
                path_name = rng.choices(list(open_paths), [10, 25, 25, 15, 10, 10, 5])[0]
                path = open_paths[path_name]
            else:
                path_name = rng.choices(list(final_paths), [20, 35, 15, 10, 5, 15])[0]
                path = final_paths[path_name]
            lon = rng.uniform(-1.4, 1.6)
            lat = rng.uniform(43.3, 46.9)
            width, height = rng.uniform(0.02, 0.3), rng.uniform(0.02, 0.25)
            area = {
                "type": "Polygon",
                "coordinates": [
                    [
                        [round(lon, 5), round(lat, 5)],
                        [round(lon + width, 5), round(lat, 5)],
                        [round(lon + width, 5), round(lat + height, 5)],
                        [round(lon, 5), round(lat + height, 5)],
                        [round(lon, 5), round(lat, 5)],
                    ]
                ],
            }
            area_km2 = round(width * 111.32 * math.cos(math.radians(lat)) * height * 110.57, 3)
            city = adhesion["city"] or "Bordeaux"
            period_start = (created + rng.randint(0, 30) * DAY).date()
            request_id = self.new_id()
            reviewer = "relay" if adhesion["mode"] == "relay" else "referent"
            reviewer_id = (
                rng.choice(self.super_referents)
                if reviewer == "relay"
                else adhesion["referent_user_id"]
            )
            row: dict[str, Any] = {
                "id": request_id,
                "number": None,
                "user_id": account["user_id"],
                "organization_id": account["organization_id"],
                "title": rng.choice(REQUEST_TOPICS).format(city=city, year=created.year),
                "area": area,
                "area_km2": area_km2,
                "period_start": period_start,
                "period_end": period_start + rng.randint(30, 365) * DAY,
                "sensor": rng.choice(("spot67", "pleiades", "pleiades", "pleiades_neo")),
                "stereo": rng.random() < 0.2,
                "max_cloud_cover": rng.choice((5, 10, 20, 30)),
                "max_viewing_angle": rng.choice((15, 20, 30)),
                "acquisition_mode": rng.choice(("archive", "archive", "new_acquisition")),
                "intended_use": account["intended_use"],
                "justification": "Besoin d'une image récente pour le projet."
                if rng.random() < 0.5
                else None,
                "state": "draft",
                "reviewer": reviewer,
                "submitted_at": None,
                "forwarded_at": None,
                "closed_at": None,
                "created": created,
                "modified": created,
            }
            org_id = account["organization_id"]
            self._event(
                created,
                "imagery_request",
                request_id,
                org_id,
                "create",
                None,
                "draft",
                account["user_id"],
            )
            when = created
            for step in path:
                when = min(when + rng.randint(0, 10) * DAY + DAY / 3, self.now - DAY / 48)
                actor = {
                    "submit": account["user_id"],
                    "cancel": account["user_id"],
                    "accept": None,
                    "start": None,
                    "deliver": None,
                }.get(step, reviewer_id)
                if step in ("accept", "start", "deliver") or (
                    step == "reject" and row["state"] == "forwarded"
                ):
                    actor = rng.choice(self.instructors)
                comment = None
                if step in ("answer", "reject", "forward", "deliver") or rng.random() < 0.1:
                    comment = rng.choice(COMMENTS)
                    self.comments.append(
                        (request_id, actor or account["user_id"], comment, False, step, when)
                    )
                if step == "submit":
                    row["number"] = self._number("imagery_request", pattern, when)
                    row["submitted_at"] = when
                if step == "forward":
                    row["forwarded_at"] = when
                from_state = row["state"]
                row["state"] = to_states[step]
                if row["state"] in ("closed", "rejected", "cancelled"):
                    row["closed_at"] = when
                row["modified"] = when
                self._event(
                    when,
                    "imagery_request",
                    request_id,
                    org_id,
                    step,
                    from_state,
                    row["state"],
                    actor,
                    comment=comment,
                    data={"number": row["number"]},
                )
            rows.append(row)
        self.requests = rows


def itertools_accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total
