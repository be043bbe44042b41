"""The team hub: shared state in PostgreSQL (``KEFU_DATABASE_URL``) for several service processes.

So far the hub holds quick replies (phrases, groups, revisions), the change feed that keeps every
process's lookup index current, one-owner claims (the watch's take-over among them), the sidebar
events' replay and the conversation log; every other store stays in the process's own
SQLite file (docs/architecture.md, "Team hub"). Import asyncpg only from here.
"""
