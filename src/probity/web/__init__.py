"""The Probity web app: a Django project (`config/`) with one app per domain area."""
