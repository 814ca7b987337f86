"""`ckan dinamis-relay ...` commands. They call actions, never models."""

from __future__ import annotations

import click

from . import demo

__all__ = ["dinamis_relay"]


@click.group("dinamis-relay", short_help="DINAMIS relay commands")
def dinamis_relay() -> None:
    pass


@dinamis_relay.command("demo-data")
@click.option("--password", default=None, help="Password given to every demo user.")
def demo_data(password: str | None) -> None:
    """Create a relay, DINAMIS, entities in various states and a user for each role."""
    for line in demo.create_demo_data(password):
        click.echo(line)
