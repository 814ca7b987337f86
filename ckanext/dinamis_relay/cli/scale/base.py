"""What every step of the generator shares."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from typing import Any

from .rows import Sizes, _Ids, _slug
from .vocabulary import FIRST_NAMES, LAST_NAMES, PREFIX


class GeneratorBase:
    """The seeded random source, the rows gathered so far and the small builders shared by
    every step (users, organizations, memberships, audit events, numbers)."""

    # Set by the staff step (organizations.py), read by the later steps.
    relay_id: str
    dinamis_id: str
    sysadmin_id: str
    super_referents: list[str]
    instructors: list[str]

    def __init__(self, sizes: Sizes, seed: int, password: str, echo: Callable[[str], None]):
        self.sizes = sizes
        self.rng = random.Random(seed)
        # Ids from their own stream: reusing an existing relay organization draws fewer ids,
        # and must not change the rest of the data.
        self.new_id = _Ids(random.Random(seed + 1))
        self.echo = echo
        self.now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
        self.today = self.now.date()
        self.start = self.now - datetime.timedelta(days=730)
        from passlib.hash import pbkdf2_sha512

        self.password_hash = pbkdf2_sha512.hash(password)
        self.groups: list[tuple] = []
        self.datasets: list[dict[str, Any]] = []
        self.resources: list[tuple] = []
        self.users: list[tuple] = []
        self.members: list[tuple] = []
        self.adhesions: list[dict[str, Any]] = []
        self.checks: list[tuple] = []
        self.acceptances: list[tuple] = []
        self.accounts: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.comments: list[tuple] = []
        self.audit: list[tuple] = []
        self.sequences: dict[tuple[str, int], int] = {}
        self.used_emails: set[str] = set()
        self.user_count = 0
        # Each progress label's first call: (monotonic time, count done then).
        self._began: dict[str, tuple[float, int]] = {}

    # -- small builders

    def _between(self, low: datetime.datetime, high: datetime.datetime) -> datetime.datetime:
        if high <= low:
            return low
        seconds = (high - low).total_seconds()
        return low + datetime.timedelta(seconds=int(self.rng.random() * seconds))

    def _number(self, kind: str, pattern: str, when: datetime.datetime) -> str:
        key = (kind, when.year)
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return pattern.format(year=when.year, seq=self.sequences[key])

    def _event(
        self,
        when: datetime.datetime,
        object_type: str,
        object_id: str,
        organization_id: str | None,
        action: str,
        from_state: str | None,
        to_state: str | None,
        user_id: str | None,
        comment: str | None = None,
        data: dict[str, Any] | None = None,
        actor_label: str | None = None,
    ) -> None:
        self.audit.append(
            (
                when,
                object_type,
                object_id,
                organization_id,
                action,
                from_state,
                to_state,
                user_id,
                actor_label,
                comment,
                data or {},
            )
        )

    def _group(self, name: str, title: str, created: datetime.datetime, **extras: str) -> str:
        group_id = self.new_id()
        self.groups.append(
            (
                group_id,
                name,
                title,
                "",
                created,
                "active",
                "organization",
                "approved",
                "",
                True,
                dict(extras),
            )
        )
        return group_id

    def _user(
        self,
        domain: str,
        created: datetime.datetime,
        sysadmin: bool = False,
        name: str | None = None,
    ) -> tuple[str, str, str]:
        """A CKAN user with a French name and an address in `domain`: (id, name, email)."""
        self.user_count += 1
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        local = f"{_slug(first)}.{_slug(last)}"
        email = f"{local}@{domain}"
        if email in self.used_emails:
            email = f"{local}{self.user_count}@{domain}"
        self.used_emails.add(email)
        user_name = name or f"{PREFIX}{_slug(first)}-{_slug(last)}-{self.user_count}"
        user_id = self.new_id()
        self.users.append(
            (
                user_id,
                user_name,
                created,
                self.password_hash,
                f"{first} {last}",
                email,
                sysadmin,
                "active",
                None,
            )
        )
        return user_id, user_name, email

    def progress(self, label: str, done: int, total: int, batch: bool = False) -> None:
        """A progress line at each tenth of a long step, with a bar, the time spent and an
        estimate of the time left (from the pace since the step's first call):
        `label [####------]  40 % (4,000/10,000)  12 s, ~18 s left`; a step done in
        batches (`batch`) prints one after each."""
        now = time.monotonic()
        began, done_then = self._began.setdefault(label, (now, done))
        step = max(1, total // 10)
        if total < 1000 or not (batch or done % step == 0 or done == total):
            return
        bar = "#" * (10 * done // total)
        line = f"         {label} [{bar:-<10}] {100 * done // total:3d} % ({done:,}/{total:,})"
        if done > done_then and now > began:
            left = (now - began) * (total - done) / (done - done_then)
            line += f"  {now - began:.0f} s" + (f", ~{left:.0f} s left" if done < total else "")
        self.echo(line)

    def _member(self, group_id: str, user_id: str, capacity: str) -> None:
        self.members.append((self.new_id(), group_id, user_id, "active", "user", capacity))

    # -- steps
