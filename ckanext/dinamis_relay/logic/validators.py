"""Validators registered with CKAN (tk.blanket.validators)."""
