"""UI strings per area of the pages, merged into ``assistant.web.i18n.STRINGS``."""
