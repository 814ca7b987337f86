"""`ckan dinamis-relay personal-data ...`: erasure on demand and the daily retention run.
They call actions, never models."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click


def _site_user_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


@click.group("personal-data", short_help="Personal data: erasure and retention")
def personal_data() -> None:
    pass


@personal_data.command("erase")
@click.argument("user")
def erase(user: str) -> None:
    """Erase or pseudonymise what the plugin holds about USER (name or id)."""
    try:
        result = tk.get_action("dinamis_relay_personal_data_erase")(
            _site_user_context(), {"user": user}
        )
    except tk.ValidationError as error:
        raise click.UsageError(str(error.error_summary.get("user") or error)) from None
    click.echo(f"{result['label']} (pseudonym {result['pseudonym']})")
    for key, value in result.items():
        if key not in ("pseudonym", "label"):
            click.echo(f"{value:>9} {key}")


@personal_data.command("purge-expired")
def purge_expired() -> None:
    """Daily, for cron: apply the retention periods (idempotent)."""
    result = tk.get_action("dinamis_relay_personal_data_purge_expired")(_site_user_context(), {})
    for key, value in result.items():
        click.echo(f"{value:>9} {key}")
