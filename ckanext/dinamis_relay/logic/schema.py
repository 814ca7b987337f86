"""navl schemas of the actions."""
