"""Database triggers that make the money tables and the audit log append-only.

The services never update or delete these rows; the triggers make sure nothing else
(a script, a hand-edited database) does either, without anyone noticing. A migration that
rebuilds one of these tables (Alembic's batch mode on SQLite copies the table) must create
its triggers again with `create_statements(dialect, (table,))`.
"""

from __future__ import annotations

APPEND_ONLY_TABLES: tuple[str, ...] = (
    "charges", "discounts", "receipts", "payments", "refunds", "document_prints", "corrections",
    "day_closings", "day_closing_method_totals", "cash_count_lines", "day_handovers",
    "day_reopenings", "audit_entries",
)

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION clinic_desk_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: add a correcting entry instead', TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql
"""


def create_statements(dialect: str, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    """DDL creating the triggers for `dialect` ("sqlite" or "postgresql")."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: add a correcting entry "
            f"instead'); END"
            for table in tables for verb in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [_PG_FUNCTION] + [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION clinic_desk_append_only()"
            for table in tables
        ]
    raise NotImplementedError(f"append-only triggers are not written for {dialect}")


def drop_statements(dialect: str, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for table in tables
                for verb in ("update", "delete")]
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in tables] + [
            "DROP FUNCTION IF EXISTS clinic_desk_append_only()"]
    raise NotImplementedError(f"append-only triggers are not written for {dialect}")
