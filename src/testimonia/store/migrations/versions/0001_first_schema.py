"""first schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 10:24:15.154233
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=True),
    sa.Column('parent_seq', sa.Integer(), nullable=True),
    sa.Column('change', sa.Text(), nullable=True),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_entity'), ['entity'], unique=False)

    op.create_table('backups',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backups'))
    )
    op.create_table('data_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=True),
    sa.Column('master_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('destroyed_by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_keys'))
    )
    op.create_table('facilities',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('source_ref', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('source_type', sa.String(length=60), nullable=True),
    sa.Column('town', sa.String(length=200), nullable=True),
    sa.Column('prefecture', sa.String(length=100), nullable=True),
    sa.Column('place_code', sa.String(length=40), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('corroboration', sa.String(length=100), nullable=True),
    sa.Column('credit', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilities'))
    )
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facilities_place_code'), ['place_code'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('places',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('parent_code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_places')),
    sa.UniqueConstraint('code', name=op.f('uq_places_code'))
    )
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_places_parent_code'), ['parent_code'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('name', name=op.f('uq_projects_name'))
    )
    op.create_table('search_documents',
    sa.Column('doc_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('doc_id', name=op.f('pk_search_documents'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_project_id'), ['project_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('memberships',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_memberships_project_id_projects')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'project_id', name=op.f('pk_memberships'))
    )
    op.create_table('persons',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.Column('ethnicity', sa.String(length=20), nullable=True),
    sa.Column('birth_date', sa.String(length=40), nullable=True),
    sa.Column('age_years', sa.Integer(), nullable=True),
    sa.Column('age_at', sa.String(length=40), nullable=True),
    sa.Column('hometown_code', sa.String(length=40), nullable=True),
    sa.Column('occupation', sa.String(length=200), nullable=True),
    sa.Column('citizenships', sa.String(length=100), nullable=True),
    sa.Column('health', sa.Text(), nullable=True),
    sa.Column('key_id', sa.String(length=32), nullable=True),
    sa.Column('resident_id_enc', sa.LargeBinary(), nullable=True),
    sa.Column('resident_id_blind', sa.String(length=64), nullable=True),
    sa.Column('notes_enc', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=True),
    sa.Column('status_event_id', sa.String(length=32), nullable=True),
    sa.Column('merged_into', sa.String(length=32), nullable=True),
    sa.Column('hidden', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['data_keys.id'], name=op.f('fk_persons_key_id_data_keys')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_persons_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_hometown_code'), ['hometown_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_resident_id_blind'), ['resident_id_blind'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_status'), ['status'], unique=False)

    op.create_table('petitions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('addressed_to', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=100), nullable=True),
    sa.Column('sent_on', sa.String(length=40), nullable=True),
    sa.Column('sent_by', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_petitions_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petitions'))
    )
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petitions_project_id'), ['project_id'], unique=False)

    op.create_table('place_aliases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('place_code', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('script', sa.String(length=4), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['place_code'], ['places.code'], name=op.f('fk_place_aliases_place_code_places')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_aliases')),
    sa.UniqueConstraint('place_code', 'text', 'kind', name=op.f('uq_place_aliases_place_code'))
    )
    with op.batch_alter_table('place_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_aliases_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_aliases_place_code'), ['place_code'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('date', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=20), nullable=True),
    sa.Column('publisher', sa.String(length=200), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_sources_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources'))
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_project_id'), ['project_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('date', sa.String(length=40), nullable=True),
    sa.Column('date_earliest', sa.Date(), nullable=True),
    sa.Column('date_latest', sa.Date(), nullable=True),
    sa.Column('place_code', sa.String(length=40), nullable=True),
    sa.Column('facility_id', sa.String(length=32), nullable=True),
    sa.Column('facility_text', sa.String(length=300), nullable=True),
    sa.Column('source_id', sa.String(length=32), nullable=True),
    sa.Column('source_order', sa.Integer(), nullable=True),
    sa.Column('span_start', sa.Integer(), nullable=True),
    sa.Column('span_end', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_events_facility_id_facilities')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_events_person_id_persons')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_events_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_place_code'), ['place_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_source_id'), ['source_id'], unique=False)

    op.create_table('names',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('script', sa.String(length=4), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=True),
    sa.Column('part', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_names_person_id_persons')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_names_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_names'))
    )
    with op.batch_alter_table('names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_names_person_id'), ['person_id'], unique=False)

    op.create_table('petition_answers',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('petition_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('received_on', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_answers_petition_id_petitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_answers'))
    )
    with op.batch_alter_table('petition_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_answers_petition_id'), ['petition_id'], unique=False)

    op.create_table('petition_persons',
    sa.Column('petition_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_petition_persons_person_id_persons')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_persons_petition_id_petitions')),
    sa.PrimaryKeyConstraint('petition_id', 'person_id', name=op.f('pk_petition_persons'))
    )
    with op.batch_alter_table('petition_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_persons_person_id'), ['person_id'], unique=False)

    op.create_table('relations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('other_id', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['other_id'], ['persons.id'], name=op.f('fk_relations_other_id_persons')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_relations_person_id_persons')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_relations_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relations'))
    )
    with op.batch_alter_table('relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relations_other_id'), ['other_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relations_person_id'), ['person_id'], unique=False)

    op.create_table('testimonies',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.String(length=32), nullable=False),
    sa.Column('testifier_id', sa.String(length=32), nullable=True),
    sa.Column('relation', sa.String(length=20), nullable=True),
    sa.Column('medium', sa.String(length=20), nullable=True),
    sa.Column('recorded_by', sa.String(length=32), nullable=True),
    sa.Column('recorded_on', sa.String(length=40), nullable=True),
    sa.Column('consent', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('testifier_name_enc', sa.LargeBinary(), nullable=True),
    sa.Column('contacts_enc', sa.LargeBinary(), nullable=True),
    sa.Column('summary_enc', sa.LargeBinary(), nullable=True),
    sa.Column('notes_enc', sa.LargeBinary(), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['key_id'], ['data_keys.id'], name=op.f('fk_testimonies_key_id_data_keys')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_testimonies_project_id_projects')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_testimonies_recorded_by_users')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_testimonies_source_id_sources')),
    sa.ForeignKeyConstraint(['testifier_id'], ['persons.id'], name=op.f('fk_testimonies_testifier_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_testimonies'))
    )
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_testimonies_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_testimonies_recorded_by'), ['recorded_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_testimonies_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_testimonies_testifier_id'), ['testifier_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('testimony_id', sa.String(length=32), nullable=True),
    sa.Column('person_id', sa.String(length=32), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('filename_enc', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['key_id'], ['data_keys.id'], name=op.f('fk_evidence_key_id_data_keys')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_evidence_person_id_persons')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evidence_project_id_projects')),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'], name=op.f('fk_evidence_testimony_id_testimonies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_testimony_id'), ['testimony_id'], unique=False)

    op.create_table('name_keys',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('name_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['name_id'], ['names.id'], name=op.f('fk_name_keys_name_id_names')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_name_keys_person_id_persons'))
    )
    with op.batch_alter_table('name_keys', schema=None) as batch_op:
        batch_op.create_index('ix_name_keys_key_person', ['key', 'person_id'], unique=False)

    op.create_table('testimony_subjects',
    sa.Column('testimony_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_testimony_subjects_person_id_persons')),
    sa.ForeignKeyConstraint(['testimony_id'], ['testimonies.id'], name=op.f('fk_testimony_subjects_testimony_id_testimonies')),
    sa.PrimaryKeyConstraint('testimony_id', 'person_id', name=op.f('pk_testimony_subjects'))
    )
    with op.batch_alter_table('testimony_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_testimony_subjects_person_id'), ['person_id'], unique=False)

    op.create_table('custody',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('evidence_id', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('actor', sa.String(length=32), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_custody_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody'))
    )
    with op.batch_alter_table('custody', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_evidence_id'), ['evidence_id'], unique=False)

    # ### end Alembic commands ###
    _search_index_up()


def downgrade() -> None:
    _search_index_down()
    with op.batch_alter_table('custody', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_evidence_id'))

    op.drop_table('custody')
    with op.batch_alter_table('testimony_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testimony_subjects_person_id'))

    op.drop_table('testimony_subjects')
    with op.batch_alter_table('name_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_name_keys_key_person')

    op.drop_table('name_keys')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_testimony_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_project_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_person_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testimonies_testifier_id'))
        batch_op.drop_index(batch_op.f('ix_testimonies_source_id'))
        batch_op.drop_index(batch_op.f('ix_testimonies_recorded_by'))
        batch_op.drop_index(batch_op.f('ix_testimonies_project_id'))

    op.drop_table('testimonies')
    with op.batch_alter_table('relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relations_person_id'))
        batch_op.drop_index(batch_op.f('ix_relations_other_id'))

    op.drop_table('relations')
    with op.batch_alter_table('petition_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_persons_person_id'))

    op.drop_table('petition_persons')
    with op.batch_alter_table('petition_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_answers_petition_id'))

    op.drop_table('petition_answers')
    with op.batch_alter_table('names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_names_person_id'))

    op.drop_table('names')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_source_id'))
        batch_op.drop_index(batch_op.f('ix_events_place_code'))
        batch_op.drop_index(batch_op.f('ix_events_person_id'))
        batch_op.drop_index(batch_op.f('ix_events_facility_id'))

    op.drop_table('events')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_project_id'))

    op.drop_table('sources')
    with op.batch_alter_table('place_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_aliases_place_code'))
        batch_op.drop_index(batch_op.f('ix_place_aliases_key'))

    op.drop_table('place_aliases')
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petitions_project_id'))

    op.drop_table('petitions')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_status'))
        batch_op.drop_index(batch_op.f('ix_persons_resident_id_blind'))
        batch_op.drop_index(batch_op.f('ix_persons_project_id'))
        batch_op.drop_index(batch_op.f('ix_persons_hometown_code'))

    op.drop_table('persons')
    op.drop_table('memberships')
    op.drop_table('users')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_project_id'))

    op.drop_table('search_documents')
    op.drop_table('projects')
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_places_parent_code'))

    op.drop_table('places')
    op.drop_table('meta')
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facilities_place_code'))

    op.drop_table('facilities')
    op.drop_table('data_keys')
    op.drop_table('backups')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_entity'))

    op.drop_table('audit_log')
    # ### end Alembic commands ###


def _search_index_up() -> None:
    """Full-text search over search_documents (public and internal text only, never confidential).

    SQLite: an FTS5 table kept in step by triggers. PostgreSQL: a stored tsvector with a GIN index.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "doc_id UNINDEXED, content, tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
            "INSERT INTO search_fts(rowid, doc_id, content) VALUES (new.rowid, new.doc_id, new.content); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
            "DELETE FROM search_fts WHERE rowid = old.rowid; END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
            "UPDATE search_fts SET doc_id = new.doc_id, content = new.content WHERE rowid = old.rowid; END"
        )
    else:
        # A stored tsvector (not part of the SQLAlchemy table: the database computes it), so that
        # ranking reads it instead of parsing every matching document again.
        op.execute(
            "ALTER TABLE search_documents ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED"
        )
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")


def _search_index_down() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS tsv")
