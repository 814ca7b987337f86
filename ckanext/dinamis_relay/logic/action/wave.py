"""Waves of partners (issue 15): the relay drafts, checks and submits many relay-mode
applications at once.

Both actions run the ordinary actions (adhesion_create, adhesion_check_eligibility,
adhesion_submit) for each row inside one transaction, so each application follows exactly the
normal rules, and commit only when every row passed: nothing is half-done. Each submission
still sends its own signed link to its legal representative.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...imports import procedure_csv
from ...lifecycle.adhesion import ADHESION
from ...model import Adhesion
from ..auth import adhesion as adhesion_auth
from ..schema import procedure as schema

CSV_REQUIRED = (
    "organization",
    "legal_name",
    "siret",
    "entity_type",
    "eligibility_category",
    "address",
    "postcode",
    "city",
    "department",
    "legal_rep_name",
    "legal_rep_title",
    "legal_rep_email",
    "referent",
    "convention_number",
)
CSV_OPTIONAL = (
    "acronym",
    "website",
    "phone",
    "email_domains",
    "eligibility_justification",
    "referent_title",
    "referent_phone",
)


def _inner(context: Context) -> Context:
    return {
        "user": context.get("user", ""),
        "ignore_auth": context.get("ignore_auth", False),
        "defer_commit": True,
    }


def _messages(label: str, error: Exception) -> list[str]:
    if isinstance(error, tk.ValidationError):
        errors = error.error_dict or {}
    else:
        errors = {"auth" if isinstance(error, tk.NotAuthorized) else "id": [str(error)]}
    return procedure_csv.item_messages(label, errors)


def _referent_id(value: str) -> str:
    user = model.User.get(value)
    if user is None and "@" in value:
        user = model.Session.execute(
            sa.select(model.User).where(
                sa.func.lower(model.User.email) == value.lower(), model.User.state == "active"
            )
        ).scalar()
    # Unknown: passed on as given, and adhesion_create says "User not found".
    return user.id if user is not None else value


@validate(schema.csv_import)
def dinamis_relay_adhesion_wave_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Draft relay-mode applications from a CSV of partner structures: every row, or none.

    Columns: organization (name or id), legal_name, siret, entity_type,
    eligibility_category, address, postcode, city, department, legal_rep_name,
    legal_rep_title, legal_rep_email, referent (user name, id or email), convention_number
    required; acronym, website, phone, email_domains, eligibility_justification,
    referent_title, referent_phone optional.

    :param upload: the CSV file, or :param csv: its text
    :param dry_run: check every row (through adhesion_create) and write nothing
    :returns: ``{"created": n, "rows": n, "dry_run", "adhesions": [ids]}``; errors come back
        as ``ValidationError({"rows": ["Row 3: siret: ..."]})`` and nothing is written.
    """
    tk.check_access("dinamis_relay_adhesion_wave_import", context, data_dict)
    rows = procedure_csv.rows_from(data_dict, CSV_REQUIRED, CSV_OPTIONAL)
    messages: list[str] = []
    ids: list[str] = []
    seen: dict[str, dict[str, int]] = {"organization": {}, "siret": {}}
    for line, row in rows:
        values: dict[str, Any] = {k: v for k, v in row.items() if v != ""}
        for field in seen:
            value = values.get(field)
            if value and value in seen[field]:
                messages.append(
                    procedure_csv.row_messages(
                        line,
                        {field: [tk._("Same value as row {row}").format(row=seen[field][value])]},
                    )[0]
                )
            elif value:
                seen[field][value] = line
        values["organization_id"] = values.pop("organization", "")
        values["referent_user_id"] = _referent_id(values.pop("referent", ""))
        values["mode"] = "relay"
        try:
            created = tk.get_action("dinamis_relay_adhesion_create")(_inner(context), values)
            ids.append(created["id"])
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
            if isinstance(error, tk.ValidationError) and error.error_dict:
                errors = dict(error.error_dict)
                if "organization_id" in errors:
                    errors["organization"] = errors.pop("organization_id")
                if "referent_user_id" in errors:
                    errors["referent"] = errors.pop("referent_user_id")
                messages += procedure_csv.row_messages(line, errors)
            else:
                messages += procedure_csv.row_messages(
                    line, {"auth" if isinstance(error, tk.NotAuthorized) else "id": [str(error)]}
                )
    if messages or data_dict["dry_run"]:
        model.Session.rollback()
        if messages:
            raise tk.ValidationError({"rows": messages})
        return {"created": 0, "rows": len(rows), "dry_run": True, "adhesions": []}
    if not context.get("defer_commit"):
        model.Session.commit()
    return {"created": len(ids), "rows": len(rows), "dry_run": False, "adhesions": ids}


def _precheck(context: Context, data_dict: DataDict) -> list[str]:
    """Refusals of every adhesion of a bulk operation, from the lifecycle table (state,
    requirements) and the action's auth, with the rows locked until the operation ends:
    nothing is written yet. (The actions check again; this gathers every refusal at once.)"""
    operation = data_dict["operation"]
    messages: list[str] = []
    locked = {
        adhesion.id: adhesion
        for adhesion in model.Session.execute(
            sa.select(Adhesion)
            .where(Adhesion.id.in_(data_dict["ids"]))
            .order_by(Adhesion.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    }
    for adhesion_id in data_dict["ids"]:
        adhesion = locked.get(adhesion_id)
        if adhesion is None:
            messages += _messages(adhesion_id, tk.ObjectNotFound(tk._("Adhesion not found")))
            continue
        inner = _inner(context)
        inner[adhesion_auth.CACHE_KEY] = adhesion
        try:
            tk.check_access(f"dinamis_relay_adhesion_{operation}", inner, {"id": adhesion.id})
        except tk.NotAuthorized as error:
            messages += _messages(adhesion_id, error)
            continue
        rule = ADHESION.rule(operation, adhesion.state)
        if rule is None:
            errors = ADHESION.state_error(operation, adhesion.state).error_dict
        else:
            errors = rule.errors(adhesion, {"id": adhesion.id})
        if errors:
            messages += procedure_csv.item_messages(adhesion_id, errors)
    return messages


@validate(schema.adhesion_bulk)
def dinamis_relay_adhesion_bulk(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record eligibility or submit many relay-mode applications at once: all, or none.

    :param ids: adhesion ids (a list, or text separated by commas or spaces; at most 500)
    :param operation: check_eligibility | submit
    :param eligible: for check_eligibility (bool); :param note: its note
    :returns: ``{"operation", "count", "results": [{id, organization, state,
        amendment_number}]}``. If any adhesion is refused, nothing is done and the errors
        come back per adhesion as ``ValidationError({"rows": ["<id>: field: message"]})``.
    """
    tk.check_access("dinamis_relay_adhesion_bulk", context, data_dict)
    operation = data_dict["operation"]
    if operation == "check_eligibility" and "eligible" not in data_dict:
        raise tk.ValidationError({"eligible": [tk._("Missing value")]})
    messages = _precheck(context, data_dict)
    if messages:
        model.Session.rollback()
        raise tk.ValidationError({"rows": messages})
    extra: dict[str, Any] = {}
    if operation == "check_eligibility":
        extra = {"eligible": data_dict["eligible"], "note": data_dict.get("note") or ""}
    results = []
    try:
        for adhesion_id in data_dict["ids"]:
            done = tk.get_action(f"dinamis_relay_adhesion_{operation}")(
                _inner(context), {"id": adhesion_id, **extra}
            )
            results.append(
                {
                    "id": done["id"],
                    "organization": done.get("organization"),
                    "state": done["state"],
                    "amendment_number": done.get("amendment_number"),
                }
            )
        if not context.get("defer_commit"):
            model.Session.commit()
    except Exception:
        # Checked above under the rows' locks, so only a fault lands here: undo every row.
        model.Session.rollback()
        raise
    return {"operation": operation, "count": len(results), "results": results}
