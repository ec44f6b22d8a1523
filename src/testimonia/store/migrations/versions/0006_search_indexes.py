"""indexes that answer search's lookups by themselves

A search page of a 1,000,000-person SQLite registry joins up to 200 full-text matches with their persons
and lists the names of 50, leaving out names that only a withdrawn testimony gave. Each of those
lookups read an index and then the table's row; these indexes hold what the lookups read, so each is
one seek (docs/benchmarks.md):

- persons by id with the columns search reads (SQLite only: PostgreSQL ranks a bounded set first);
- a person's names with their source and text (replaces the index on person_id alone);
- the sources of withdrawn testimonies alone (a partial index: its entry is the answer).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

WITHDRAWN = sa.text("consent = 'withdrawn'")
PERSON_SEARCH_COLUMNS = ["id", "merged_into", "project_id", "hidden", "status", "ethnicity", "sex", "hometown_code"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.create_index('ix_persons_search', 'persons', PERSON_SEARCH_COLUMNS, unique=False)
    op.drop_index('ix_names_person_id', table_name='names')
    op.create_index('ix_names_person_id', 'names', ['person_id', 'source_id', 'text'], unique=False)
    op.create_index('ix_testimonies_withdrawn_source', 'testimonies', ['source_id'], unique=False,
                    sqlite_where=WITHDRAWN, postgresql_where=WITHDRAWN)
    if sqlite:  # statistics for the new indexes, or the planner keeps to the old ones
        for table in ("persons", "names", "testimonies"):
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    op.drop_index('ix_testimonies_withdrawn_source', table_name='testimonies')
    op.drop_index('ix_names_person_id', table_name='names')
    op.create_index('ix_names_person_id', 'names', ['person_id'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index('ix_persons_search', table_name='persons')
