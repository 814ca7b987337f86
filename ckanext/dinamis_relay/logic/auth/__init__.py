"""Auth functions, one per action and of the same name."""

from .roles import dinamis_relay_roles_show

__all__ = ["dinamis_relay_roles_show"]
