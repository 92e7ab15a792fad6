"""passage embedding cache

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 14:29:46.285412
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('passage_embedding',
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('dimension', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('model', 'text_sha256', name=op.f('pk_passage_embedding'))
    )


def downgrade() -> None:
    op.drop_table('passage_embedding')
