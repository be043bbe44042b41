"""Team workflows beside the agent: the response watch, reminders, KPIs, QC (no aiohttp in their cores)."""
