"""Professional addresses only: DINAMIS deletes accounts with generic webmail addresses.

The list of generic domains is declared (`ckanext.dinamis_relay.generic_email_domains`);
`name.*` covers every ending (hotmail.fr, hotmail.co.uk). Subdomains of a listed domain
count as that domain.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

OPTION = "ckanext.dinamis_relay.generic_email_domains"


def generic_domains() -> list[str]:
    value = tk.config.get(OPTION)
    if value is None:
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return [item.strip().lower().lstrip("@") for item in items if item.strip()]


def _matches(domain: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        stem = pattern[:-2]
        labels = domain.split(".")
        # hotmail.* : "hotmail" followed by one or more labels, at any subdomain depth.
        return any(labels[i] == stem and i < len(labels) - 1 for i in range(len(labels)))
    return domain == pattern or domain.endswith("." + pattern)


def is_generic(email: str | None) -> bool:
    """True when the address belongs to a generic webmail provider."""
    domain = (email or "").rpartition("@")[2].strip().lower()
    if not domain:
        return False
    return any(_matches(domain, pattern) for pattern in generic_domains())


def outside_domains(email: str | None, declared: list[str] | None) -> bool:
    """True when domains are declared and the address is in none of them (subdomains count)."""
    domains = [d.strip().lower().lstrip("@") for d in (declared or [])]
    domains = [d for d in domains if d]
    if not domains:
        return False
    domain = (email or "").rpartition("@")[2].strip().lower()
    return not any(domain == d or domain.endswith("." + d) for d in domains)


def generic_message(email: str | None) -> str:
    return tk._(
        "DINAMIS accepts professional email addresses only: {domain} is a webmail provider"
    ).format(domain=(email or "").rpartition("@")[2].strip().lower())
