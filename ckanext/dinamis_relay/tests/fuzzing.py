"""The input generator of the fuzz test (tests/test_fuzz.py) and of scripts/fuzz.py.

Both draw payloads from the same `payload(rng, action, world)` with a `random.Random`: the
test through CKAN's test app (hypothesis supplies the Random, so failures shrink and replay
from the printed seed), the script over HTTP against gunicorn. A payload mixes the fields of
the action's own schema with valid-looking ids of real objects, wrong types, huge and
negative numbers, NUL bytes, lone surrogates, other scripts' digits, edge dates, GeoJSON and
CSV edge cases.
"""

from __future__ import annotations

import dataclasses
import json
import random
import urllib.parse
from typing import Any

# The core actions the plugin chains or reads through (DOMAIN.md "Individual accounts"),
# with the fields they look up.
CORE_ACTIONS: dict[str, tuple[str, ...]] = {
    "member_create": ("id", "object", "object_type", "capacity"),
    "member_delete": ("id", "object", "object_type"),
    "organization_member_create": ("id", "username", "role"),
    "organization_member_delete": ("id", "username", "user_id"),
    "organization_update": ("id", "name", "title", "users"),
    "group_update": ("id", "name", "title", "users"),
    "user_delete": ("id",),
    "package_update": ("id", "name", "title", "owner_org", "dinamis_licence", "extras"),
    "package_show": ("id",),
    "package_search": ("q", "fq", "rows", "start"),
}

# Web pages (GET) with the parts of their address a caller controls: "{}" is replaced by a
# generated value, query parameters get generated values.
WEB_ROUTES: dict[str, tuple[str, ...]] = {
    "/dinamis/adhesion/{}": (),
    "/dinamis/account/{}": (),
    "/dinamis/imagery/{}": (),
    "/dinamis/imagery/{}/area.geojson": (),
    "/dinamis/organization/{}": (),
    "/dinamis/legal/{}": (),
    "/dinamis/account/list": ("organization_id", "state", "q", "page", "mismatch"),
    "/dinamis/account/queue": ("page",),
    "/dinamis/imagery": ("page", "state", "q"),
    "/dinamis/dashboard": ("organization_id", "months", "validated"),
    "/dinamis/stats": ("months",),
    "/dinamis/downloads": ("page", "organization_id", "since", "until"),
    "/dinamis/verify": ("number", "fingerprint"),
}

CODES = (
    "accept",
    "reject",
    "return",
    "decline",
    "classic",
    "relay",
    "draft",
    "accepted",
    "requested",
    "active",
    "spot67",
    "pleiades",
    "archive",
    "new_acquisition",
    "review",
    "forward",
    "cancel",
    "entities",
    "activity",
    "acte_adhesion",
    "fr",
    "user",
    "member",
    "admin",
    "commune",
    "public_body",
)

# The test area of the suite (factories.py re-exports it): this module imports nothing of
# CKAN, so scripts/fuzz.py reads it too.
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-0.6, 44.8], [-0.5, 44.8], [-0.5, 44.9], [-0.6, 44.9], [-0.6, 44.8]]],
}
ANTIMERIDIAN = {
    "type": "Polygon",
    "coordinates": [
        [[179.9, -17.0], [-179.9, -17.0], [-179.9, -16.9], [179.9, -16.9], [179.9, -17.0]]
    ],
}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
OTHER_DIGITS = (
    "".join(chr(0xFF10 + int(d)) for d in "21330318700016"),
    "\u0661\u0660",
    "\u0663",
    "\u0967\u0968",
    "\U0001d7cf\U0001d7d0",
)
CSV = "email,fullname,job_title,intended_use\nagent@example.fr,Agent,SIG,Suivi\n"


@dataclasses.dataclass
class World:
    """Names and ids of real objects the payloads refer to, by kind."""

    ids: dict[str, list[str]]

    def all_ids(self) -> list[str]:
        return [value for values in self.ids.values() for value in values]


def _text(rng: random.Random, world: World) -> str:
    choice = rng.randrange(18)
    if choice == 0:
        return ""
    if choice == 1:
        return " " * rng.randrange(1, 5)
    if choice == 2:
        return "x" * rng.choice((201, 501, 5001, 100_000))
    if choice == 3:
        return rng.choice(world.all_ids() or ["x"]) + "\x00"
    if choice == 4:
        return "\ud800" + rng.choice(("", "a", "\udfff"))
    if choice == 5:
        # Full-width, Arabic-Indic, Devanagari and mathematical digits.
        return rng.choice(OTHER_DIGITS)
    if choice == 6:
        return rng.choice(("9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "20260101"))
    if choice == 7:
        return rng.choice(("abc", "-1", "0", "10", "1e3", "99999999999999999999", "NaN"))
    if choice == 8:
        return rng.choice(
            ("a@b.fr", "a" * 300 + "@x.fr", "@" * 50, "x@" + "a." * 150 + "fr", "é@ü.fr")
        )
    if choice == 9:
        return json.dumps(rng.choice((SQUARE, ANTIMERIDIAN, BOWTIE)))
    if choice == 10:
        return rng.choice(("[" * 5000 + "]" * 5000, "{" * 3000, '{"type": "Polygon"}'))
    if choice == 11:
        return rng.choice((CSV, CSV.replace(",", ";"), "email\n" + "x\n" * 5, '"' * 9))
    if choice == 12:
        return rng.choice(("👩‍🚀", "\u202etxt", "Ω" * 300, "ÉÈÀ", "\t\n"))
    if choice == 13:
        return rng.choice(("21330318800014", "35600000000051", "33600", "2A", "05 57 00 00 00"))
    if choice == 14:
        return "'; DROP TABLE x; --"
    return rng.choice(world.all_ids() or ["x"]) if choice < 17 else rng.choice(CODES)


def value(rng: random.Random, world: World, depth: int = 0) -> Any:
    """One generated value: mostly text, ids and codes, often of the wrong type."""
    choice = rng.randrange(20)
    if choice < 8:
        return _text(rng, world)
    if choice < 11:
        return rng.choice(world.all_ids() or ["x"]) if choice < 10 else rng.choice(CODES)
    if choice == 11:
        return rng.choice((0, 1, -1, 7, 10**19, -(10**19), 2**63, 10**400 // 10**390))
    if choice == 12:
        return rng.choice((True, False, None))
    if choice == 13:
        return rng.choice((1.5, -0.0, 1e308, 3.0))
    if choice == 14:
        return rng.choice((SQUARE, ANTIMERIDIAN, BOWTIE, {"type": "FeatureCollection"}))
    if choice == 15 and depth < 3:
        return [value(rng, world, depth + 1) for _ in range(rng.randrange(4))]
    if choice == 16 and depth < 3:
        return {rng.choice(("a", "id", "\x00")): value(rng, world, depth + 1)}
    if choice == 17:
        nested: Any = "x"
        for _ in range(rng.choice((30, 300))):
            nested = [nested]
        return nested
    if choice == 18:
        return [rng.choice(world.all_ids() or ["x"])] * rng.choice((1, 3, 20_000))
    return ""


def payload(rng: random.Random, fields: tuple[str, ...], world: World) -> dict[str, Any]:
    """A data dict for an action whose schema has `fields`: some of them, sometimes an
    unknown key."""
    data: dict[str, Any] = {}
    for field in fields:
        if rng.random() < 0.6:
            data[field] = value(rng, world)
    if rng.random() < 0.1:
        data[rng.choice(("__junk", "extra", "\x00key"))] = value(rng, world)
    return data


def web_path(rng: random.Random, route: str, params: tuple[str, ...], world: World) -> str:
    """An address for a web route, its parts generated and quoted as a browser would."""

    def part() -> str:
        generated = value(rng, world)
        text = generated if isinstance(generated, str) else json.dumps(generated)
        return urllib.parse.quote(text[:3000], safe="", errors="surrogatepass")

    path = route.replace("{}", part() or "x")
    query = {name: part() for name in params if rng.random() < 0.6}
    if query:
        path += "?" + "&".join(f"{name}={text}" for name, text in query.items())
    return path


def plugin_actions() -> dict[str, tuple[str, ...]]:
    """Every action of the plugin, with the fields of its schema (the plugin must be
    loaded: the schemas get their validators from CKAN)."""
    from ckanext.dinamis_relay.logic import action as actions

    result: dict[str, tuple[str, ...]] = {}
    for name in actions.__all__:
        if not name.startswith("dinamis_relay_"):
            continue
        schema_func = getattr(getattr(actions, name), "dinamis_relay_schema", None)
        fields = tuple(k for k in schema_func() if not k.startswith("__")) if schema_func else ()
        result[name] = fields
    return result
