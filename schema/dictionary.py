"""The data dictionary, rendered from the MetaData (never written by hand)."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Table

from schema.readme_sections import section
from schema.tables import LOAD_ORDER, refresh_log

FLAG_MEANINGS = """\
Order status flags (as in the source exports): `is_gross` = 1 for every order placed;
`is_valid` = 1 when the payment was confirmed (status completed or returned): revenue counts
these unless a page's status scope says otherwise; `is_net` = 1 when valid and kept
(status completed: not canceled, not returned). Always is_net <= is_valid <= is_gross."""


def _type(col) -> str:
    return str(col.type).lower().replace("numeric", "decimal")


def _keys(table: Table, col) -> str:
    marks = []
    if col.primary_key:
        marks.append("PK")
    marks += [f"FK -> {fk.column.table.name}.{fk.column.name}" for fk in col.foreign_keys]
    if col.unique or any(c.unique and [x.name for x in c.columns] == [col.name] for c in table.indexes):
        marks.append("unique")
    return ", ".join(marks)


def render_table(table: Table) -> str:
    lines = [f"### `{table.name}`", "", table.comment or "", "", "| column | type | null | keys | meaning |", "|---|---|---|---|---|"]
    for col in table.columns:
        lines.append(f"| `{col.name}` | {_type(col)} | {'yes' if col.nullable else 'no'} | {_keys(table, col)} | {col.comment or ''} |")
    constraints = sorted((c for c in table.constraints if isinstance(c, CheckConstraint)), key=lambda c: str(c.name))
    checks = [str(c.sqltext) for c in constraints]
    if checks:
        lines += ["", "Checks: " + "; ".join(f"`{c}`" for c in checks)]
    return "\n".join(lines)


def render_views() -> str:
    from schema.views import VIEWS

    lines = [
        "### Views",
        "",
        "Defined once as SQLAlchemy selects in `schema/views.py`; init-db creates them, refresh re-creates them.",
        "",
        "| view | meaning | columns |",
        "|---|---|---|",
    ]
    for v in sorted(VIEWS.values(), key=lambda v: v.name):
        lines.append(f"| `{v.name}` | {v.description} | {', '.join(f'`{c}`' for c in v.columns())} |")
    return "\n".join(lines)


@section("dictionary")
def render_markdown(tables=LOAD_ORDER) -> str:
    body = "\n\n".join(render_table(t) for t in sorted([*tables, refresh_log], key=lambda t: t.name))
    return f"{FLAG_MEANINGS}\n\n{body}\n\n{render_views()}\n"
