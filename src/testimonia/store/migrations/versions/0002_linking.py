"""linking: runs, match proposals, decisions, merges

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_runs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('registry_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('report', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_runs'))
    )
    op.create_table('match_decisions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('person_a', sa.String(length=32), nullable=False),
    sa.Column('person_b', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('evidence', sa.String(length=64), nullable=False),
    sa.Column('features', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['person_a'], ['persons.id'], name=op.f('fk_match_decisions_person_a_persons')),
    sa.ForeignKeyConstraint(['person_b'], ['persons.id'], name=op.f('fk_match_decisions_person_b_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_decisions'))
    )
    with op.batch_alter_table('match_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_match_decisions_pair', ['person_a', 'person_b'], unique=False)

    op.create_table('match_proposals',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('person_a', sa.String(length=32), nullable=False),
    sa.Column('person_b', sa.String(length=32), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('cluster', sa.String(length=64), nullable=True),
    sa.Column('evidence', sa.String(length=64), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('features', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_a'], ['persons.id'], name=op.f('fk_match_proposals_person_a_persons')),
    sa.ForeignKeyConstraint(['person_b'], ['persons.id'], name=op.f('fk_match_proposals_person_b_persons')),
    sa.ForeignKeyConstraint(['run_id'], ['link_runs.id'], name=op.f('fk_match_proposals_run_id_link_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_proposals'))
    )
    with op.batch_alter_table('match_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_proposals_cluster'), ['cluster'], unique=False)
        batch_op.create_index('ix_match_proposals_pair', ['person_a', 'person_b'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_proposals_person_b'), ['person_b'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_proposals_run_id'), ['run_id'], unique=False)

    op.create_table('merges',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survivor_id', sa.String(length=32), nullable=False),
    sa.Column('absorbed', sa.Text(), nullable=False),
    sa.Column('moved', sa.Text(), nullable=False),
    sa.Column('filled', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['survivor_id'], ['persons.id'], name=op.f('fk_merges_survivor_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merges'))
    )
    with op.batch_alter_table('merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merges_survivor_id'), ['survivor_id'], unique=False)


def downgrade() -> None:
    for table in ("merges", "match_proposals", "match_decisions", "link_runs"):
        op.drop_table(table)
