import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Migrations in order. Never edit one that has shipped: add the next.
 * Written with Kysely's schema builder so that each runs on SQLite and Postgres alike.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('origins', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('visitors')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('agent_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) =>
          c.notNull().references('agents.id').onDelete('cascade'),
        )
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
        .addColumn('visitor_id', 'text', (c) => c.notNull().references('visitors.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      // At most one open conversation per visitor, whatever races between requests.
      await sql`create unique index conversations_one_open on conversations (visitor_id) where status = 'open'`.execute(
        db,
      )
      await db.schema
        .createIndex('conversations_site_status')
        .on('conversations')
        .columns(['site_id', 'status', 'updated_at'])
        .execute()
      await db.schema
        .createTable('messages')
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('author_role', 'text', (c) => c.notNull())
        .addColumn('author_id', 'text', (c) => c.notNull())
        .addColumn('author_name', 'text')
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('messages_pk', ['conversation_id', 'seq'])
        .addUniqueConstraint('messages_client_id', ['conversation_id', 'client_id'])
        .execute()
    },
  },
  '0002_identity_context': {
    async up(db: Kysely<unknown>) {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable('visitors').addColumn('external_id', 'text').execute()
      await db.schema.alterTable('visitors').addColumn('context', 'text').execute()
      // Anonymous visitors have no external id: NULLs are distinct in unique indexes on both
      // dialects, so only identified visitors are held to one per site and sub.
      await db.schema
        .createIndex('visitors_site_external_id')
        .on('visitors')
        .columns(['site_id', 'external_id'])
        .unique()
        .execute()
      await db.schema
        .createTable('visitor_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('visitor_id', 'text', (c) =>
          c.notNull().references('visitors.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('visitor_tokens_visitor')
        .on('visitor_tokens')
        .columns(['visitor_id', 'created_at'])
        .execute()
      await db.schema.alterTable('conversations').addColumn('context', 'text').execute()
      await db.schema.alterTable('conversations').addColumn('trigger', 'text').execute()
    },
  },
  '0003_conversation_moved_from': {
    async up(db: Kysely<unknown>) {
      // The anonymous visitor a conversation belonged to before identify moved it to the known
      // visitor: that device may still have sends in flight under the old token.
      await db.schema
        .alterTable('conversations')
        .addColumn('moved_from_visitor_id', 'text')
        .execute()
    },
  },
}
