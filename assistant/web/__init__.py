"""The HTML pages: templates, static files, UI strings."""
