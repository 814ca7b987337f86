"""The rules of the DINAMIS procedure itself: official numbers, the legal representative's
signed link, free quotas, professional email addresses."""
