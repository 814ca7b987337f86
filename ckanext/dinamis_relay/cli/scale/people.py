"""Step 2: individual accounts and the people behind them."""

from __future__ import annotations

from typing import Any

from .base import GeneratorBase
from .vocabulary import DAY, JOB_TITLES, SERVICES, USES


class People(GeneratorBase):
    """Accounts spread over the entities, and their referents."""

    def accounts_and_people(self) -> None:
        """Spread the accounts over entities that were accepted at some point, bigger
        entities getting more; the first active account of each is its referent."""
        accepted_once = ("accepted", "suspended", "terminated", "expired")
        current = [a for a in self.adhesions if a["is_current"]]
        holders = [a for a in current if a["state"] in accepted_once]
        if not holders:
            return self._referents_only(current)
        total_weight = sum(a["_entity"]["staff_weight"] for a in holders) or 1
        quotas = [
            max(1, int(self.sizes.accounts * a["_entity"]["staff_weight"] / total_weight))
            for a in holders
        ]
        # Trim or pad so the total is exactly what was asked for.
        while sum(quotas) > self.sizes.accounts:
            biggest = max(range(len(quotas)), key=quotas.__getitem__)
            quotas[biggest] = max(1, quotas[biggest] - (sum(quotas) - self.sizes.accounts))
            if all(q == 1 for q in quotas):
                break
        for index in range(self.sizes.accounts - sum(quotas)):
            quotas[index % len(quotas)] += 1
        by_state = {
            "accepted": [
                ("active", 76),
                ("requested", 5),
                ("suspended", 3),
                ("refused", 4),
                ("expired", 6),
                ("closed", 6),
            ],
            "suspended": [("active", 80), ("suspended", 10), ("closed", 10)],
            "terminated": [("closed", 100)],
            "expired": [("expired", 70), ("closed", 30)],
        }
        for adhesion, quota in zip(holders, quotas, strict=True):
            choices = by_state[adhesion["state"]]
            names = [c[0] for c in choices]
            weights = [c[1] for c in choices]
            for position in range(quota):
                state = "active" if position == 0 else self.rng.choices(names, weights)[0]
                self._account(adhesion, state, referent=position == 0)
                self.progress("accounts", len(self.accounts), self.sizes.accounts)
        self._referents_only(current)

    def _referents_only(self, current: list[dict[str, Any]]) -> None:
        """Entities without accounts still have a referent (a CKAN user, org admin)."""
        for adhesion in current:
            if adhesion["referent_user_id"] is None:
                referent, _name, _email = self._user(
                    adhesion["_entity"]["domain"], adhesion["created"] - 30 * DAY
                )
                adhesion["referent_user_id"] = referent
                self._member(adhesion["organization_id"], referent, "admin")
        for adhesion in self.adhesions:
            if not adhesion["is_current"]:
                adhesion["referent_user_id"] = next(
                    a["referent_user_id"]
                    for a in current
                    if a["organization_id"] == adhesion["organization_id"]
                )

    def _account(self, adhesion: dict[str, Any], state: str, referent: bool) -> None:
        rng = self.rng
        entity = adhesion["_entity"]
        org_id = adhesion["organization_id"]
        decided = adhesion["decided_at"] or adhesion["created"]
        end = self.now - DAY
        if adhesion["state"] in ("terminated", "expired"):
            end = adhesion["modified"] - DAY
        # More accounts requested as time goes (the service grows): skew towards the end.
        created = decided + (end - decided) * rng.random()
        if referent:
            created = decided + DAY
        mismatch = rng.random() < 0.03
        domain = (
            rng.choice(("gmail.com", "orange.fr", "laposte.net"))
            if mismatch
            else (entity["domain"])
        )
        user_id, _user_name, _email = self._user(domain, created - DAY)
        account_id = self.new_id()
        relay = adhesion["mode"] == "relay"
        validator = (
            rng.choice(self.super_referents) if relay else adhesion["referent_user_id"] or user_id
        )
        row: dict[str, Any] = {
            "id": account_id,
            "user_id": user_id,
            "organization_id": org_id,
            "adhesion_id": adhesion["id"],
            "state": state,
            "job_title": rng.choice(JOB_TITLES),
            "department": rng.choice(SERVICES) or None,
            "phone": f"05 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
            "intended_use": rng.choice(USES),
            "terms_version": "2024-10-15",
            "terms_accepted_at": created,
            "email_domain_mismatch": mismatch,
            "membership_created": False,
            "valid_until": None,
            "reminder_sent_at": None,
            "refusal_reason": None,
            "created_by": user_id,
            "validated_by": None,
            "validated_at": None,
            "created": created,
            "modified": created,
        }
        event = self._event
        event(created, "account", account_id, org_id, "request", None, "requested", user_id)
        if referent:
            adhesion["referent_user_id"] = user_id
            self._member(org_id, user_id, "admin")
        if state == "requested":
            self.accounts.append(row)
            return
        when = min(
            created + rng.randint(0, 12) * DAY + rng.randint(0, 8 * 3600) * DAY / 86400,
            self.now - DAY / 24,
        )
        if state == "refused":
            row["refusal_reason"] = "Adresse électronique personnelle"
            event(
                when,
                "account",
                account_id,
                org_id,
                "refuse",
                "requested",
                "refused",
                validator,
                comment=row["refusal_reason"],
            )
            row["modified"] = when
            self.accounts.append(row)
            return
        row["validated_by"], row["validated_at"] = validator, when
        row["valid_until"] = max(when.date() + 365 * DAY, self.today + rng.randint(5, 365) * DAY)
        event(when, "account", account_id, org_id, "validate", "requested", "active", validator)
        row["modified"] = when
        if not referent:
            self._member(org_id, user_id, "member")
            row["membership_created"] = True
        after = self._between(when + DAY, end)
        if state == "suspended":
            event(
                after,
                "account",
                account_id,
                org_id,
                "suspend",
                "active",
                "suspended",
                validator,
                comment="Départ en congé",
            )
            row["modified"] = after
        elif state == "expired":
            row["valid_until"] = min(after.date(), self.today - DAY)
            event(after, "account", account_id, org_id, "expire", "active", "expired", None)
            row["modified"] = after
        elif state == "closed":
            event(
                after,
                "account",
                account_id,
                org_id,
                "close",
                "active",
                "closed",
                validator,
                comment="Agent parti",
            )
            row["modified"] = after
            if row["membership_created"]:
                # Closing removes the membership the plugin created.
                self.members.pop()
        self.accounts.append(row)
