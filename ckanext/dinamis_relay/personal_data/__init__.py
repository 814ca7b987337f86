"""Personal data (RGPD): the register of what the plugin keeps, a person's export, erasure
and pseudonymisation, retention periods. See README, "Personal data"."""
