"""Actions of the API contract, one module per concern (DOMAIN.md, "API contract")."""

from .roles import dinamis_relay_roles_show

__all__ = ["dinamis_relay_roles_show"]
