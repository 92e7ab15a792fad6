"""document sets: documents as members of a set (#13)

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_set_document',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_case_set_document_document_id_document'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['case_set.id'], name=op.f('fk_case_set_document_set_id_case_set'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'document_id', name=op.f('pk_case_set_document'))
    )


def downgrade() -> None:
    op.drop_table('case_set_document')
