"""The register of personal data (RGPD, article 30): one declaration, read by everything.

Each `Kind` says which columns of which table hold personal data, why, who sees them, how
long they are kept (with the option that sets it) and what erasure does. The README section
(`scripts/personal_data_register.py`), the sysadmin page, the export (one query per kind)
and the tests read this list; a test checks that every column of every plugin table is
declared here, as personal or not, so a new column cannot land unregistered.

Texts are English source strings, marked for extraction and translated when shown.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when the register is shown."""
    return text


@dataclasses.dataclass(frozen=True)
class Kind:
    key: str
    title: str
    table: str
    personal: tuple[str, ...]
    other: tuple[str, ...]
    why: str
    who: str
    # "{name}" is replaced by the value of the option ckanext.dinamis_relay.retention.name.
    kept: str
    on_erasure: str
    options: tuple[str, ...] = ()


KINDS: tuple[Kind, ...] = (
    Kind(
        key="accounts",
        title=_("Individual accounts"),
        table="dinamis_relay_account",
        personal=(
            "user_id",
            "job_title",
            "department",
            "phone",
            "intended_use",
            "terms_version",
            "terms_accepted_at",
            "email_domain_mismatch",
            "refusal_reason",
            "created_by",
            "validated_by",
        ),
        other=(
            "id",
            "organization_id",
            "adhesion_id",
            "state",
            "membership_created",
            "valid_until",
            "reminder_sent_at",
            "validated_at",
            "created",
            "modified",
        ),
        why=_(
            "To give a person access to the DINAMIS imagery for their entity, and to prove "
            "they accepted the terms of use (version and time)."
        ),
        who=_(
            "The person; their validators (entity referent or super-referents); DINAMIS "
            "instructors; sysadmins."
        ),
        kept=_(
            "While the account lives; a closed account is pseudonymised {closed_account_days} "
            "days after it was closed, a refused request {refused_account_days} days after "
            "the refusal."
        ),
        on_erasure=_(
            "Profile (job, department, phone, intended use, refusal reason) cleared; the "
            "person replaced by their pseudonym; the row stays so that the counts per entity "
            "do not change."
        ),
        options=(
            "ckanext.dinamis_relay.retention.closed_account_days",
            "ckanext.dinamis_relay.retention.refused_account_days",
        ),
    ),
    Kind(
        key="adhesions",
        title=_("People named on adhesions"),
        table="dinamis_relay_adhesion",
        personal=(
            "legal_rep_name",
            "legal_rep_title",
            "legal_rep_email",
            "referent_user_id",
            "referent_title",
            "referent_phone",
            "created_by",
            "submitted_by",
            "decided_by",
        ),
        other=(
            "id",
            "organization_id",
            "is_current",
            "previous_id",
            "number",
            "mode",
            "state",
            "legal_name",
            "acronym",
            "siret",
            "entity_type",
            "eligibility_category",
            "eligibility_justification",
            "address",
            "postcode",
            "city",
            "department",
            "website",
            "phone",
            "email_domains",
            "convention_number",
            "amendment_number",
            "legal_token_nonce",
            "legal_token_expires",
            "legal_accepted_at",
            "decision_reason",
            "dinamis_reference",
            "decided_at",
            "submitted_at",
            "valid_from",
            "valid_until",
            "reminder_sent_at",
            "created",
            "modified",
        ),
        why=_(
            "The adhesion is a legal act: it names the legal representative who committed "
            "the entity, the referent who validates its accounts, and who submitted and "
            "decided it."
        ),
        who=_("The entity's referent and admins; super-referents; DINAMIS instructors; sysadmins."),
        kept=_("As long as the adhesion and its history are kept (legal record)."),
        on_erasure=_(
            "A referent is removed from the adhesion with their title and phone (the "
            "adhesion then shows “referent to designate”); whoever created, submitted or "
            "decided is replaced by their pseudonym. The legal representative's name, kept "
            "with the act they signed, stays."
        ),
    ),
    Kind(
        key="acceptances",
        title=_("Acceptances of the charter and licences"),
        table="dinamis_relay_acceptance",
        personal=("accepted_by_name", "accepted_by_email"),
        other=(
            "id",
            "adhesion_id",
            "text_kind",
            "text_code",
            "text_version",
            "accepted_at",
        ),
        why=_("Proof of the electronic validation by the entity's legal representative."),
        who=_("Those who see the adhesion."),
        kept=_("As long as the adhesion is kept (legal record)."),
        on_erasure=_("Kept: the record of a legal act."),
    ),
    Kind(
        key="eligibility_checks",
        title=_("Eligibility checks"),
        table="dinamis_relay_eligibility_check",
        personal=("checked_by",),
        other=("id", "adhesion_id", "eligible", "note", "checked_at"),
        why=_("Who checked a relay-mode entity's eligibility with DINAMIS, and when."),
        who=_("Super-referents; DINAMIS instructors; sysadmins."),
        kept=_("As long as the adhesion is kept."),
        on_erasure=_("The super-referent is replaced by their pseudonym."),
    ),
    Kind(
        key="imagery_requests",
        title=_("Imagery requests"),
        table="dinamis_relay_imagery_request",
        personal=("user_id", "intended_use", "justification"),
        other=(
            "id",
            "number",
            "organization_id",
            "title",
            "area",
            "area_km2",
            "period_start",
            "period_end",
            "sensor",
            "stereo",
            "max_cloud_cover",
            "max_viewing_angle",
            "acquisition_mode",
            "state",
            "reviewer",
            "submitted_at",
            "forwarded_at",
            "closed_at",
            "created",
            "modified",
        ),
        why=_("To review and forward a request for imagery and to answer its requester."),
        who=_(
            "The requester; the first-level reviewers (relay or referent); DINAMIS once "
            "forwarded; sysadmins."
        ),
        kept=_("As long as the entity's requests are kept (quotas, statistics)."),
        on_erasure=_(
            "Requests are the entity's (quotas, counts) and stay, drafts included, with the "
            "requester replaced by their pseudonym."
        ),
    ),
    Kind(
        key="comments",
        title=_("Messages of imagery request threads"),
        table="dinamis_relay_imagery_comment",
        personal=("user_id", "body"),
        other=("id", "request_id", "internal", "transition", "created"),
        why=_("The exchange between the requester, the relay and DINAMIS about a request."),
        who=_("The participants of the thread (internal notes: staff only); sysadmins."),
        kept=_(
            "Archived {thread_days} days after the request is finished: the messages are deleted, "
            "their number and dates stay."
        ),
        on_erasure=_(
            "The author is replaced by their pseudonym. The text stays only when someone "
            "else also wrote in the thread, whose replies would make no sense without it; "
            "otherwise it is erased."
        ),
        options=("ckanext.dinamis_relay.retention.thread_days",),
    ),
    Kind(
        key="downloads",
        title=_("Downloads"),
        table="dinamis_relay_download_event",
        personal=("user_id",),
        other=("id", "organization_id", "dataset_id", "resource_id", "licence", "created"),
        why=_(
            "The global view of the entities' use of the imagery, and the DINAMIS licence's "
            "traceability."
        ),
        who=_(
            "The person; the referent of their entity; super-referents; sysadmins. The "
            "public statistics show counts only."
        ),
        kept=_(
            "The person is removed from a download {download_user_days} days after it; the "
            "download still counts for its entity."
        ),
        on_erasure=_("The person is removed; the download still counts for its entity."),
        options=("ckanext.dinamis_relay.retention.download_user_days",),
    ),
    Kind(
        key="audit_events",
        title=_("Audit journal"),
        table="dinamis_relay_audit_event",
        personal=("user_id", "actor_label", "comment"),
        other=(
            "id",
            "object_type",
            "object_id",
            "organization_id",
            "action",
            "from_state",
            "to_state",
            "data",
            "created",
        ),
        why=_("Who did what and when to adhesions, accounts and requests (accountability)."),
        who=_("Those who see the object the event is about."),
        kept=_("As long as the object it is about."),
        on_erasure=_(
            "The fact and time of each transition stay, with a stable pseudonym "
            "(“deleted user no. 42”) in place of the person."
        ),
    ),
    Kind(
        key="documents",
        title=_("Issued legal documents"),
        table="dinamis_relay_document",
        personal=("content", "created_by"),
        other=(
            "id",
            "kind",
            "number",
            "version",
            "lang",
            "adhesion_id",
            "organization_id",
            "storage_key",
            "sha256",
            "content_sha256",
            "size",
            "is_current",
            "superseded_by",
            "superseded_at",
            "created",
        ),
        why=_(
            "The acte d'adhésion, avenant and convention print the names of the legal "
            "representative, the referent and the decider: they are the record of a legal "
            "act, verifiable by their fingerprint."
        ),
        who=_(
            "Those who see the adhesion; anyone checking a copy learns only whether it is "
            "authentic."
        ),
        kept=_("Kept as records of a legal act, like the adhesion they belong to."),
        on_erasure=_(
            "Kept unchanged (a changed PDF would no longer match its fingerprint); whoever "
            "generated a version is replaced by their pseudonym."
        ),
    ),
    Kind(
        key="outbox",
        title=_("Emails waiting to be sent"),
        table="dinamis_relay_outbox",
        personal=("payload", "delivered", "last_error"),
        other=(
            "id",
            "kind",
            "queue",
            "state",
            "attempts",
            "job_id",
            "created",
            "next_attempt_at",
            "done_at",
        ),
        why=_(
            "Each email a transition calls for is written with it, so none is lost when the "
            "queue or the mail server fails; the addresses already served are kept so that a "
            "retry sends to each once."
        ),
        who=_("Sysadmins (`ckan dinamis-relay outbox status`)."),
        kept=_("Until sent, then as long as the platform keeps its job history."),
        on_erasure=_(
            "Not yet erased with the person: sent rows name addresses until the platform "
            "clears its job history."
        ),
    ),
    Kind(
        key="mail_preferences",
        title=_("Staff email preferences"),
        table="dinamis_relay_mail_preference",
        personal=("user_id", "staff_emails", "sysadmin_copies", "last_digest_at"),
        other=("modified",),
        why=_("Whether a member of staff receives each notice or a daily digest."),
        who=_("The person and sysadmins."),
        kept=_("As long as the user account."),
        on_erasure=_("Not yet erased with the person (the preference alone says little)."),
    ),
    Kind(
        key="registrations",
        title=_("Adhesions registered from outside the platform"),
        table="dinamis_relay_registration",
        personal=("registered_by", "note"),
        other=("adhesion_id", "number_external", "accepted_on", "registered_at"),
        why=_("Who recorded an adhesion accepted directly by DINAMIS, and when."),
        who=_("Those who see the adhesion."),
        kept=_("As long as the adhesion."),
        on_erasure=_("Not yet pseudonymised: the id of whoever registered it stays."),
    ),
    Kind(
        key="supporting_documents",
        title=_("Supporting documents of applications"),
        table="dinamis_relay_supporting_document",
        personal=("uploaded_by",),
        other=(
            "id",
            "adhesion_id",
            "organization_id",
            "kind",
            "name",
            "storage_name",
            "mimetype",
            "size",
            "sha256",
            "uploaded_at",
        ),
        why=_(
            "Who attached a supporting document (deliberation, mandate…) to an application, "
            "and when; the files themselves may name the entity's representatives."
        ),
        who=_("Those who see the adhesion."),
        kept=_(
            "As long as the adhesion and its history are kept; removed with their file by "
            "the application's editors while it is a draft or returned."
        ),
        on_erasure=_("Whoever attached it is replaced by their pseudonym; the file stays."),
    ),
    Kind(
        key="quota_overrides",
        title=_("Quota overrides"),
        table="dinamis_relay_quota_override",
        personal=("set_by",),
        other=("organization_id", "sensor", "km2", "set_at"),
        why=_("Which instructor changed an entity's free imagery quota."),
        who=_("DINAMIS instructors, the relay and the entity's referent."),
        kept=_("As long as the entity's quotas apply."),
        on_erasure=_("Not yet pseudonymised: the id of whoever set it stays."),
    ),
)

# Plugin tables without personal data, and why.
NOT_PERSONAL: dict[str, str] = {
    "dinamis_relay_number_sequence": _("Last number issued per kind and year."),
    "dinamis_relay_download_monthly": _("Downloads per month and entity: counts only."),
    "dinamis_relay_account_tally": _("Accounts per entity and state: counts only."),
    "dinamis_relay_imagery_tally": _(
        "Imagery requests per entity, state and reviewer: counts only."
    ),
    "dinamis_relay_month_total": _(
        "National totals per month of downloads, validated accounts and submitted imagery "
        "requests: counts only."
    ),
    "dinamis_relay_pseudonym": _(
        "Pseudonym numbers, keyed by a keyed hash of the user id: the table alone names nobody."
    ),
    "dinamis_relay_thread_archive": _("Number and dates of the messages of archived threads."),
    "dinamis_relay_quota_counter": _("Square kilometres consumed per entity, sensor and period."),
    "dinamis_relay_quota_use": _("Square kilometres each accepted request consumed."),
}


def declared_columns() -> dict[str, tuple[set[str], set[str]]]:
    """Table → (personal columns, other columns) as declared."""
    result: dict[str, tuple[set[str], set[str]]] = {}
    for kind in KINDS:
        personal, other = result.setdefault(kind.table, (set(), set()))
        personal.update(kind.personal)
        other.update(kind.other)
    return result


def rows(days: dict[str, Any], translate: Any = lambda text: text) -> list[dict[str, str]]:
    """The register as rows of text: `days` gives each option's value."""
    result = []
    for kind in KINDS:
        kept = translate(kind.kept)
        for option in kind.options:
            name = option.rsplit(".", 1)[-1]
            kept = kept.replace(f"{{{name}}}", str(days.get(option, "?")))
        result.append(
            {
                "key": kind.key,
                "title": translate(kind.title),
                "where": kind.table + (f" ({', '.join(kind.personal)})" if kind.personal else ""),
                "why": translate(kind.why),
                "who": translate(kind.who),
                "kept": kept,
                "options": ", ".join(kind.options),
                "on_erasure": translate(kind.on_erasure),
            }
        )
    return result


def markdown(days: dict[str, Any]) -> str:
    """The README table (English)."""

    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    lines = [
        "| Data | Where (personal columns) | Why | Who sees it | How long | On erasure |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows(days):
        options = ", ".join(f"`{o}`" for o in row["options"].split(", ") if o)
        kept = cell(row["kept"]) + (f" ({options})" if options else "")
        lines.append(
            f"| {cell(row['title'])} | `{row['where']}` | {cell(row['why'])} "
            f"| {cell(row['who'])} | {kept} | {cell(row['on_erasure'])} |"
        )
    return "\n".join(lines)
