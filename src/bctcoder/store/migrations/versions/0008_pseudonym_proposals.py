"""proposed replacements of identifiers, reviewed before a pseudonymised copy is written (#16)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pseudonym_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('original', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('replacement', sa.String(length=200), nullable=False),
    sa.Column('entity', sa.String(length=300), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("decision IN ('pending', 'accepted', 'rejected')",
                       name=op.f('ck_pseudonym_proposal_decision')),
    sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f('ck_pseudonym_proposal_span')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                            name=op.f('fk_pseudonym_proposal_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pseudonym_proposal')),
    sa.UniqueConstraint('document_id', 'start', 'end', name='uq_pseudonym_proposal_span')
    )
    with op.batch_alter_table('pseudonym_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pseudonym_proposal_document_id'), ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pseudonym_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pseudonym_proposal_document_id'))
    op.drop_table('pseudonym_proposal')
