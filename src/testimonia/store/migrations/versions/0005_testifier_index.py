"""the index of testimonies by testifier holds only testimonies that have one

Most testimonies name no testifier in the registry (testifier_id NULL). A full index of that column
told SQLite's planner (through ANALYZE's statistics) that a lookup by testifier returns every
testimony, so the public pages' "named testifier" condition scanned the whole table once per person:
the public statistics of 100,000 persons took 430 s. A partial index of the non-null values is small
and is used for every lookup by testifier (docs/benchmarks.md).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

HAS_TESTIFIER = sa.text("testifier_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.drop_index('ix_testimonies_testifier_id')
        batch_op.create_index('ix_testimonies_testifier_id', ['testifier_id'], unique=False,
                              sqlite_where=HAS_TESTIFIER, postgresql_where=HAS_TESTIFIER)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE testimonies")  # replace the old index's statistics


def downgrade() -> None:
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.drop_index('ix_testimonies_testifier_id')
        batch_op.create_index('ix_testimonies_testifier_id', ['testifier_id'], unique=False)
