"""Every table of the product, known to one metadata: what the migrations compare against."""

from __future__ import annotations

from server.db import (
    crisis_tables,
    follow_up_tables,
    home_tables,
    messaging_tables,
    monitoring_tables,
    on_call_tables,
    outreach_tables,
    plan_tables,
    step_tables,
    tables,
)

TABLE_MODULES = (tables, plan_tables, crisis_tables, follow_up_tables, on_call_tables, step_tables, home_tables,
                 outreach_tables, monitoring_tables, messaging_tables)
METADATA = tables.Base.metadata
