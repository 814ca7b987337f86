"""Emails of the plugin: `mailing` (recipients, rendering, sending) and one module per object
(`adhesion`, `account`, `imagery`)."""
