"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 22:08:51.767032
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('max_active', sa.Integer(), nullable=True),
    sa.Column('last_assigned_at', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_agents')),
    sa.UniqueConstraint('id', name=op.f('uq_agents_id'))
    )
    op.create_table('counters',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('customers',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('wa_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('name_fold', sa.Text(), nullable=False),
    sa.Column('digits', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_phone'), ['phone'], unique=False)

    op.create_table('groups',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('routing_rule', sa.String(length=20), nullable=False),
    sa.Column('only_available', sa.Boolean(), nullable=False),
    sa.Column('sticky', sa.Boolean(), nullable=False),
    sa.Column('rr_last_agent_pk', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['rr_last_agent_pk'], ['agents.pk'], name=op.f('fk_groups_rr_last_agent_pk_agents')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_groups')),
    sa.UniqueConstraint('id', name=op.f('uq_groups_id'))
    )
    op.create_table('tags',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    op.create_table('conversations',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('customer_pk', sa.Integer(), nullable=False),
    sa.Column('group_pk', sa.Integer(), nullable=True),
    sa.Column('agent_pk', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('assigned_at', sa.BigInteger(), nullable=True),
    sa.Column('closed_at', sa.BigInteger(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('sent_by', sa.String(length=10), nullable=True),
    sa.Column('last_message_at', sa.BigInteger(), nullable=True),
    sa.Column('last_message_from', sa.String(length=10), nullable=True),
    sa.Column('waiting_since', sa.BigInteger(), nullable=True),
    sa.Column('first_reply_at', sa.BigInteger(), nullable=True),
    sa.Column('response_creation_s', sa.Integer(), nullable=True),
    sa.Column('response_assignment_s', sa.Integer(), nullable=True),
    sa.Column('tag_list', sa.Text(), nullable=False),
    sa.Column('changed_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['agent_pk'], ['agents.pk'], name=op.f('fk_conversations_agent_pk_agents')),
    sa.ForeignKeyConstraint(['customer_pk'], ['customers.pk'], name=op.f('fk_conversations_customer_pk_customers')),
    sa.ForeignKeyConstraint(['group_pk'], ['groups.pk'], name=op.f('fk_conversations_group_pk_groups')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_conversations')),
    sa.UniqueConstraint('id', name=op.f('uq_conversations_id'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_agent_pk_status'), ['agent_pk', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_changed_seq'), ['changed_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_country_created_at'), ['country', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_created_at_pk'), ['created_at', 'pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_customer_pk'), ['customer_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_group_pk_created_at'), ['group_pk', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_last_message_at'), ['last_message_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_response_assignment_s'), ['response_assignment_s'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_response_creation_s'), ['response_creation_s'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_status_created_at'), ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_status_group_pk_created_at'), ['status', 'group_pk', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_waiting_since'), ['waiting_since'], unique=False)

    op.create_table('memberships',
    sa.Column('agent_pk', sa.Integer(), nullable=False),
    sa.Column('group_pk', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['agent_pk'], ['agents.pk'], name=op.f('fk_memberships_agent_pk_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_pk'], ['groups.pk'], name=op.f('fk_memberships_group_pk_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_pk', 'group_pk', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_group_pk_agent_pk'), ['group_pk', 'agent_pk'], unique=False)

    op.create_table('conversation_tags',
    sa.Column('conversation_pk', sa.Integer(), nullable=False),
    sa.Column('tag_pk', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_pk'], ['conversations.pk'], name=op.f('fk_conversation_tags_conversation_pk_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_pk'], ['tags.pk'], name=op.f('fk_conversation_tags_tag_pk_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_pk', 'tag_pk', name=op.f('pk_conversation_tags'))
    )
    with op.batch_alter_table('conversation_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_tags_tag_pk_conversation_pk'), ['tag_pk', 'conversation_pk'], unique=False)

    op.create_table('events',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('conversation_pk', sa.Integer(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('from_agent_pk', sa.Integer(), nullable=True),
    sa.Column('from_group_pk', sa.Integer(), nullable=True),
    sa.Column('to_agent_pk', sa.Integer(), nullable=True),
    sa.Column('to_group_pk', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['conversation_pk'], ['conversations.pk'], name=op.f('fk_events_conversation_pk_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_agent_pk'], ['agents.pk'], name=op.f('fk_events_from_agent_pk_agents')),
    sa.ForeignKeyConstraint(['from_group_pk'], ['groups.pk'], name=op.f('fk_events_from_group_pk_groups')),
    sa.ForeignKeyConstraint(['to_agent_pk'], ['agents.pk'], name=op.f('fk_events_to_agent_pk_agents')),
    sa.ForeignKeyConstraint(['to_group_pk'], ['groups.pk'], name=op.f('fk_events_to_group_pk_groups')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_at_to_group_pk'), ['at', 'to_group_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_conversation_pk_at_pk'), ['conversation_pk', 'at', 'pk'], unique=False)

    op.create_table('messages',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('conversation_pk', sa.Integer(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('sender', sa.String(length=10), nullable=False),
    sa.Column('agent_pk', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agent_pk'], ['agents.pk'], name=op.f('fk_messages_agent_pk_agents')),
    sa.ForeignKeyConstraint(['conversation_pk'], ['conversations.pk'], name=op.f('fk_messages_conversation_pk_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_conversation_pk_at_pk'), ['conversation_pk', 'at', 'pk'], unique=False)

    op.create_table('notes',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('conversation_pk', sa.Integer(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_pk'], ['conversations.pk'], name=op.f('fk_notes_conversation_pk_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_conversation_pk_at_pk'), ['conversation_pk', 'at', 'pk'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_conversation_pk_at_pk'))

    op.drop_table('notes')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_conversation_pk_at_pk'))

    op.drop_table('messages')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_conversation_pk_at_pk'))
        batch_op.drop_index(batch_op.f('ix_events_at_to_group_pk'))

    op.drop_table('events')
    with op.batch_alter_table('conversation_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_tags_tag_pk_conversation_pk'))

    op.drop_table('conversation_tags')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_group_pk_agent_pk'))

    op.drop_table('memberships')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_waiting_since'))
        batch_op.drop_index(batch_op.f('ix_conversations_status_group_pk_created_at'))
        batch_op.drop_index(batch_op.f('ix_conversations_status_created_at'))
        batch_op.drop_index(batch_op.f('ix_conversations_response_creation_s'))
        batch_op.drop_index(batch_op.f('ix_conversations_response_assignment_s'))
        batch_op.drop_index(batch_op.f('ix_conversations_last_message_at'))
        batch_op.drop_index(batch_op.f('ix_conversations_group_pk_created_at'))
        batch_op.drop_index(batch_op.f('ix_conversations_customer_pk'))
        batch_op.drop_index(batch_op.f('ix_conversations_created_at_pk'))
        batch_op.drop_index(batch_op.f('ix_conversations_country_created_at'))
        batch_op.drop_index(batch_op.f('ix_conversations_closed_at'))
        batch_op.drop_index(batch_op.f('ix_conversations_changed_seq'))
        batch_op.drop_index(batch_op.f('ix_conversations_agent_pk_status'))

    op.drop_table('conversations')
    op.drop_table('tags')
    op.drop_table('groups')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_phone'))

    op.drop_table('customers')
    op.drop_table('counters')
    op.drop_table('agents')
