"""Schema of the team workflows, one migration set (``team``, applied after ``assistant``): the steps
live with their feature (``migrations_*.py``); this list is their order, which is the order they were
applied in on every database since they landed. A landed step is never edited: a change is a new step
at the end."""

from __future__ import annotations

from sqlite_utils import Migrations

from assistant.team import (
    migrations_kpi,
    migrations_qc,
    migrations_reminders,
    migrations_review,
    migrations_watch,
)

migrations = Migrations("team")

STEPS = (
    ("0001_response_watch", migrations_watch.m0001_response_watch),
    ("0002_kpi_closes", migrations_kpi.m0002_kpi_closes),
    ("0003_reminders", migrations_reminders.m0003_reminders),
    ("0004_quality_control", migrations_qc.m0004_quality_control),
    ("0006_kpi_daily", migrations_kpi.m0006_kpi_daily),
    ("0007_roster", migrations_watch.m0007_roster),
    ("0009_qc_findings", migrations_qc.m0009_qc_findings),
    ("0005_care_messages", migrations_reminders.m0005_care_messages),
    ("0012_courier_jam", migrations_reminders.m0012_courier_jam),
    ("0008_kpi_settings", migrations_kpi.m0008_kpi_settings),
    ("0010_order_review", migrations_review.m0010_order_review),
    ("0011_training", migrations_review.m0011_training),
    ("0013_refund_review", migrations_review.m0013_refund_review),
)
for _name, _step in STEPS:
    migrations(name=_name)(_step)
