"""`ckan dinamis-relay ...` commands. They call actions, never models."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import click

from ..personal_data.cli import personal_data

__all__ = ["dinamis_relay"]


@click.group("dinamis-relay", short_help="DINAMIS relay commands")
def dinamis_relay() -> None:
    pass


dinamis_relay.add_command(personal_data)


@dinamis_relay.command("demo-data")
@click.option("--password", default=None, help="Password given to every demo user.")
def demo_data(password: str | None) -> None:
    """Create a relay, DINAMIS, entities in various states and a user for each role."""
    # Development tools stay out of the runtime import path: loaded by their command only.
    from . import demo

    for line in demo.create_demo_data(password):
        click.echo(line)


def _site_user_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


@dinamis_relay.command("expire")
@click.option("--dry-run", is_flag=True, help="Only list what would change.")
def expire(dry_run: bool) -> None:
    """Daily housekeeping, meant for cron: end adhesions whose validity has passed, send
    reminders before the end of validity, return applications whose legal link expired."""
    result = tk.get_action("dinamis_relay_adhesion_expire")(
        _site_user_context(), {"dry_run": dry_run}
    )
    prefix = "[dry run] " if dry_run else ""
    labels = {
        "expired": "adhesions expired",
        "reminded": "reminders sent",
        "links_expired": "legal links expired (returned)",
    }
    for key, label in labels.items():
        click.echo(f"{prefix}{len(result[key])} {label}")
        for adhesion_id in result[key]:
            click.echo(f"  {adhesion_id}")
    accounts = tk.get_action("dinamis_relay_account_expire")(
        _site_user_context(), {"dry_run": dry_run}
    )
    for key, label in {"expired": "accounts expired", "reminded": "account reminders"}.items():
        click.echo(f"{prefix}{len(accounts[key])} {label}")


@dinamis_relay.command("generate-scale-data")
@click.option("--entities", default=1000, show_default=True, type=click.IntRange(1))
@click.option("--accounts", default=50000, show_default=True, type=click.IntRange(0))
@click.option("--downloads", default=1000000, show_default=True, type=click.IntRange(0))
@click.option("--requests", default=20000, show_default=True, type=click.IntRange(0))
@click.option(
    "--datasets",
    default=None,
    type=click.IntRange(0),
    help="Imagery datasets with footprints (default: 400, or one per ten entities beyond).",
)
@click.option("--seed", default=42, show_default=True, help="Same seed, same data.")
@click.option("--password", default="scale-password", show_default=True)
@click.option(
    "--replace", is_flag=True, help="First remove ALL DINAMIS rows and the generated users."
)
def generate_scale_data(
    entities: int,
    accounts: int,
    downloads: int,
    requests: int,
    datasets: int | None,
    seed: int,
    password: str,
    replace: bool,
) -> None:
    """Fill this site's database with a relay at regional (or national) scale, for
    benchmarks only (users, organizations and datasets are written with COPY, not through
    the actions; the datasets are then indexed)."""
    from . import scale

    sizes = scale.Sizes(entities, accounts, downloads, requests, datasets)
    try:
        counts = scale.generate(
            sizes, seed=seed, replace=replace, password=password, echo=click.echo
        )
    except tk.ValidationError as error:
        raise click.UsageError(error.error_summary.get("replace") or str(error)) from None
    for table, count in counts.items():
        click.echo(f"{count:>9} {table}")


@dinamis_relay.group("outbox", short_help="Background work: emails and documents")
def outbox_group() -> None:
    pass


@outbox_group.command("sweep")
def outbox_sweep() -> None:
    """Queue again what is pending and due (meant for cron, every minute): rows written while
    Redis was down, retries that could not be scheduled, rows of a worker that died."""
    try:
        result = tk.get_action("dinamis_relay_outbox_sweep")(_site_user_context(), {})
    except tk.ValidationError as error:
        raise click.ClickException(str(error.error_summary.get("queue") or error)) from None
    click.echo(f"{result['queued']} rows queued, {result['purged']} old delivered rows deleted")


@outbox_group.command("status")
def outbox_status() -> None:
    """Rows by state, the oldest pending one, and the last dead ones with their error."""
    result = tk.get_action("dinamis_relay_outbox_status")(_site_user_context(), {})
    for state, count in result["counts"].items():
        click.echo(f"{state:>8} {count}")
    oldest = result["oldest_pending"]
    if oldest:
        click.echo(
            f"oldest pending: {oldest['kind']} {oldest['id']} created {oldest['created']}, "
            f"{oldest['attempts']} attempts, next {oldest['next_attempt_at']}"
            + (f", last error: {oldest['last_error']}" if oldest["last_error"] else "")
        )
    else:
        click.echo("oldest pending: none")
    for row in result["dead"]:
        click.secho(
            f"dead: {row['kind']} {row['id']} {row['created']}: {row['last_error']}", fg="red"
        )


@dinamis_relay.command("digest")
def digest() -> None:
    """Daily (cron): one email per staff member who chose the digest, listing what awaits
    them (at most one a day)."""
    result = tk.get_action("dinamis_relay_digest_send")(_site_user_context(), {})
    click.echo(
        f"{result['written']} digests queued, {result['nothing_waiting']} with nothing "
        f"waiting, {result['already_sent']} already sent today"
    )


@dinamis_relay.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
@click.option(
    "--no-fork",
    is_flag=True,
    help="Run each job in the worker process: no fork and no reload of CKAN's environment "
    "per job (much cheaper for short jobs; a job that crashes the process stops the worker).",
)
@click.argument("queues", nargs=-1)
def worker(burst: bool, no_fork: bool, queues: tuple[str, ...]) -> None:
    """`ckan jobs worker` for the plugin: serve QUEUES (default: the priority queue, then the
    default queue, then the documents queue), sweeping the outbox on start and every
    `outbox.sweep_seconds`."""
    from ..notifications import outbox
    from ..notifications.worker import InProcessOutboxWorker, OutboxWorker

    names = list(queues) or outbox.served_queues()
    worker_class = InProcessOutboxWorker if no_fork else OutboxWorker
    worker_class(names).work(burst=burst, with_scheduler=True)


@dinamis_relay.group("documents", short_help="Generated PDF documents")
def documents() -> None:
    pass


@documents.command("regenerate")
@click.option("--adhesion", "adhesion_id", default=None, help="Only this adhesion's documents.")
@click.option("--all", "all_", is_flag=True, help="Every current document.")
@click.option("--kind", default=None, help="Only this kind (acte_adhesion, avenant, convention).")
def regenerate(adhesion_id: str | None, all_: bool, kind: str | None) -> None:
    """Issue a new version of current documents; the old versions stay verifiable.

    With --adhesion and no document yet, issue the documents the adhesion's state calls for
    (for instance after the job queue was down).
    """
    from ..documents import jobs

    if not adhesion_id and not all_:
        raise click.UsageError("Give --adhesion ID or --all")
    context = _site_user_context()
    current: list[dict] = []
    offset = 0
    while True:
        page = tk.get_action("dinamis_relay_document_list")(
            dict(context),
            {"adhesion_id": adhesion_id, "offset": offset, "limit": 1000}
            if adhesion_id
            else {"offset": offset, "limit": 1000},
        )["results"]
        current.extend(page)
        offset += len(page)
        if len(page) < 1000:
            break
    if adhesion_id and not current:
        issued = jobs.generate_due_documents(adhesion_id)
        click.echo(f"{len(issued)} missing documents issued")
        return
    count = 0
    for doc in current:
        if kind and doc["kind"] != kind:
            continue
        try:
            new = tk.get_action("dinamis_relay_document_generate")(
                dict(context),
                {"adhesion_id": doc["adhesion_id"], "kind": doc["kind"], "lang": doc["lang"]},
            )
        except tk.ValidationError as err:
            click.secho(f"{doc['number']} ({doc['kind']}): {err.error_summary}", fg="red")
            continue
        count += 1
        click.echo(f"{new['number']} {new['kind']} {new['lang']} v{new['version']} {new['id']}")
    click.echo(f"{count} documents regenerated")


@documents.command("verify")
@click.argument("file", type=click.File("rb"))
def verify_file(file: Any) -> None:
    """Check that FILE is a document issued by this platform (exit code 1 if not)."""
    import hashlib

    digest = hashlib.sha256(file.read()).hexdigest()
    result = tk.get_action("dinamis_relay_document_verify")({}, {"sha256": digest})
    if not result["valid"]:
        click.secho(f"NOT VALID: no issued document has SHA-256 {digest}", fg="red")
        raise click.exceptions.Exit(1)
    doc = result["document"]
    status = "current" if doc["is_current"] else f"superseded by version {doc['current_version']}"
    click.secho(f"VALID: {doc['kind']} {doc['number']} version {doc['version']}", fg="green")
    click.echo(f"  entity: {doc['entity_name']}")
    click.echo(f"  issued: {doc['created']}  ({status})")
    click.echo(f"  fingerprint: {doc['fingerprint']}")
