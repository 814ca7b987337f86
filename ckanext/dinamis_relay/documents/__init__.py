"""Generated PDF documents: Acte d'adhésion, avenant (relay mode), convention de partenariat.

- `content`: the canonical record a document prints, and its fingerprint;
- `pdf`: safe WeasyPrint rendering of the Jinja templates in templates/dinamis_relay/pdf;
- `logo`: the organization's uploaded logo, checked and re-encoded;
- `storage`: where the PDF files are kept (never overwritten);
- `issue`: numbering, versions and supersession;
- `jobs`: the signal receiver and background job that issue documents after transitions.
"""
