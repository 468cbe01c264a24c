import { randomUUID } from 'node:crypto'
import type { ChatItem, ConversationSummary, MessageInput } from '@causette/events'
import type { StreamItem } from '@causette/transport/protocol'
import type { Kysely, Selectable } from 'kysely'
import { Migrator } from 'kysely/migration'
import { migrations } from './migrations.js'
import type { ConversationTable, Database, MessageTable } from './schema.js'
import { createVisitorContextQueries, toVisitor } from './sql-visitor-context.js'
import type { Agent, Site, Store } from './store.js'

/**
 * Brings the schema up to date; throws with the failing migration's name. On PostgreSQL, name
 * the schema: Kysely otherwise takes another schema's migration tables for this one's.
 */
export async function migrate(
  db: Kysely<Database>,
  options: { readonly schema?: string } = {},
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`migration ${failed} failed`, { cause: error })
  }
}

/** Migrates, then wraps the database as a store; closes it if the migration fails. */
export async function openMigratedStore(
  db: Kysely<Database>,
  options: { readonly schema?: string } = {},
): Promise<Store> {
  try {
    await migrate(db, options)
  } catch (error) {
    await db.destroy()
    throw error
  }
  return createSqlStore(db)
}

type ConversationRow = Omit<Selectable<ConversationTable>, 'context' | 'trigger'> & {
  last_role: MessageTable['author_role'] | null
  last_content: string | null
  last_at: string | null
}

function toSummary(row: ConversationRow): ConversationSummary {
  const summary: ConversationSummary = {
    id: row.id,
    siteId: row.site_id,
    visitorId: row.visitor_id,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeq: Number(row.last_seq),
  }
  if (row.moved_from_visitor_id) summary.movedFromVisitorId = row.moved_from_visitor_id
  if (row.last_role && row.last_content && row.last_at) {
    const content = JSON.parse(row.last_content) as MessageInput
    summary.lastMessage = { role: row.last_role, text: content.text, at: row.last_at }
  }
  return summary
}

function toItem(row: Selectable<MessageTable>): StreamItem {
  const body: ChatItem = {
    kind: 'message',
    author:
      row.author_name === null
        ? { role: row.author_role, id: row.author_id }
        : { role: row.author_role, id: row.author_id, name: row.author_name },
    content: JSON.parse(row.content) as MessageInput,
    at: row.created_at,
  }
  return { seq: Number(row.seq), id: row.client_id, body }
}

const toAgent = (row: { id: string; email: string; name: string; role: Agent['role'] }): Agent => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
})

/** Thrown inside a transaction to roll it back when another writer stored the same id first. */
class AlreadyStored extends Error {
  constructor(readonly row: Selectable<MessageTable>) {
    super('message already stored')
  }
}

function findMessage(db: Kysely<Database>, conversationId: string, clientId: string) {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('client_id', '=', clientId)
    .executeTakeFirst()
}

/**
 * The store over any Kysely database with the Causette schema. Dialect-specific setup
 * (pragmas, pools) is done by the caller, such as `createSqliteStore`.
 */
export function createSqlStore(db: Kysely<Database>, now = () => new Date()): Store {
  const iso = () => now().toISOString()

  const conversations = (qb: Kysely<Database>) =>
    qb
      .selectFrom('conversations as c')
      .leftJoin('messages as m', (join) =>
        join.onRef('m.conversation_id', '=', 'c.id').onRef('m.seq', '=', 'c.last_seq'),
      )
      // Not the context columns: lists need summaries only.
      .select([
        'c.id',
        'c.site_id',
        'c.visitor_id',
        'c.status',
        'c.last_seq',
        'c.created_at',
        'c.updated_at',
        'c.moved_from_visitor_id',
        'm.author_role as last_role',
        'm.content as last_content',
        'm.created_at as last_at',
      ])

  const visitorContext = createVisitorContextQueries(db, iso)

  const store: Store = {
    async upsertSite(site) {
      await db
        .insertInto('sites')
        .values({
          id: site.id,
          name: site.name,
          origins: JSON.stringify(site.origins),
          created_at: iso(),
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ name: site.name, origins: JSON.stringify(site.origins) }),
        )
        .execute()
      return site
    },
    async getSite(id) {
      const row = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst()
      return row && { id: row.id, name: row.name, origins: JSON.parse(row.origins) as string[] }
    },
    async listSites() {
      const rows = await db.selectFrom('sites').selectAll().orderBy('id').execute()
      return rows.map(
        (row): Site => ({
          id: row.id,
          name: row.name,
          origins: JSON.parse(row.origins) as string[],
        }),
      )
    },

    async createVisitor({ siteId, tokenHash }) {
      const id = randomUUID()
      await db
        .insertInto('visitors')
        .values({ id, site_id: siteId, token_hash: tokenHash, created_at: iso() })
        .execute()
      return { id, siteId }
    },
    async findVisitorByTokenHash(tokenHash) {
      const row =
        (await db
          .selectFrom('visitors')
          .select(['id', 'site_id', 'external_id'])
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst()) ??
        (await db
          .selectFrom('visitor_tokens as t')
          .innerJoin('visitors as v', 'v.id', 't.visitor_id')
          .select(['v.id', 'v.site_id', 'v.external_id'])
          .where('t.token_hash', '=', tokenHash)
          .executeTakeFirst())
      return row && toVisitor(row)
    },
    getVisitor: visitorContext.getVisitor,
    identifyVisitor: visitorContext.identifyVisitor,
    readContext: visitorContext.readContext,
    changeContext: visitorContext.changeContext,
    conversationContext: visitorContext.conversationContext,

    async upsertAgent({ email, name, role, passwordHash }) {
      const normalized = email.trim().toLowerCase()
      await db
        .insertInto('agents')
        .values({
          id: randomUUID(),
          email: normalized,
          name,
          role,
          password_hash: passwordHash,
          created_at: iso(),
        })
        .onConflict((oc) =>
          oc.column('email').doUpdateSet({ name, role, password_hash: passwordHash }),
        )
        .execute()
      const row = await db
        .selectFrom('agents')
        .select(['id', 'email', 'name', 'role'])
        .where('email', '=', normalized)
        .executeTakeFirstOrThrow()
      return toAgent(row)
    },
    async countAgents() {
      const row = await db
        .selectFrom('agents')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      return Number(row.n)
    },
    async listAgents() {
      const rows = await db
        .selectFrom('agents')
        .select(['id', 'email', 'name', 'role'])
        .orderBy('name')
        .execute()
      return rows.map(toAgent)
    },
    async findAgentCredentials(email) {
      const row = await db
        .selectFrom('agents')
        .selectAll()
        .where('email', '=', email.trim().toLowerCase())
        .executeTakeFirst()
      return row && { agent: toAgent(row), passwordHash: row.password_hash }
    },
    async createAgentSession({ idHash, agentId, csrfToken, expiresAt }) {
      await db
        .insertInto('agent_sessions')
        .values({
          id_hash: idHash,
          agent_id: agentId,
          csrf_token: csrfToken,
          created_at: iso(),
          expires_at: expiresAt,
        })
        .execute()
    },
    async findAgentSession(idHash, nowIso) {
      const row = await db
        .selectFrom('agent_sessions as s')
        .innerJoin('agents as a', 'a.id', 's.agent_id')
        .select(['a.id', 'a.email', 'a.name', 'a.role', 's.csrf_token', 's.expires_at'])
        .where('s.id_hash', '=', idHash)
        .where('s.expires_at', '>', nowIso)
        .executeTakeFirst()
      return row && { agent: toAgent(row), csrfToken: row.csrf_token, expiresAt: row.expires_at }
    },
    async deleteAgentSession(idHash) {
      await db.deleteFrom('agent_sessions').where('id_hash', '=', idHash).execute()
    },

    async openConversation(visitor, options = {}) {
      const existing = await store.findOpenConversation(visitor.id)
      if (existing) return existing
      // Under the visitor's lock: a racing second opener finds the first one's conversation.
      await visitorContext.createOpenConversation(visitor, options.trigger)
      const created = await store.findOpenConversation(visitor.id)
      if (!created) throw new Error('open conversation vanished after insert')
      return created
    },
    async findOpenConversation(visitorId) {
      const row = await conversations(db)
        .where('c.visitor_id', '=', visitorId)
        .where('c.status', '=', 'open')
        .executeTakeFirst()
      return row && toSummary(row)
    },
    async getConversation(id) {
      const row = await conversations(db).where('c.id', '=', id).executeTakeFirst()
      return row && toSummary(row)
    },
    async listConversations({ siteIds, status, limit }) {
      if (siteIds.length === 0) return []
      const rows = await conversations(db)
        .where('c.site_id', 'in', siteIds)
        .where('c.status', '=', status)
        .orderBy('c.updated_at', 'desc')
        .orderBy('c.created_at', 'desc')
        .limit(limit)
        .execute()
      return rows.map(toSummary)
    },

    async appendMessage({ conversationId, clientId, author, content }) {
      const existing = await findMessage(db, conversationId, clientId)
      let result: { item: StreamItem; duplicate: boolean } | undefined
      if (existing) result = { item: toItem(existing), duplicate: true }
      else {
        try {
          result = await db.transaction().execute(async (trx) => {
            const at = iso()
            // Bumping last_seq first takes the row's write lock, so concurrent writers (other
            // requests, other nodes) get consecutive seqs and never the same one.
            const bumped = await trx
              .updateTable('conversations')
              .set((eb) => ({ last_seq: eb('last_seq', '+', 1), updated_at: at }))
              .where('id', '=', conversationId)
              .returning('last_seq')
              .executeTakeFirst()
            if (!bumped) return undefined
            // Under the lock, look again: a writer on another node may have stored this id
            // between our first look and the lock. Then undo the bump (roll back) and answer
            // with what it stored.
            const raced = await findMessage(trx, conversationId, clientId)
            if (raced) throw new AlreadyStored(raced)
            const row: Selectable<MessageTable> = {
              conversation_id: conversationId,
              seq: Number(bumped.last_seq),
              client_id: clientId,
              author_role: author.role,
              author_id: author.id,
              author_name: author.name ?? null,
              content: JSON.stringify(content),
              created_at: at,
            }
            await trx.insertInto('messages').values(row).execute()
            return { item: toItem(row), duplicate: false }
          })
        } catch (error) {
          if (!(error instanceof AlreadyStored)) throw error
          result = { item: toItem(error.row), duplicate: true }
        }
      }
      if (!result) return { ok: false, reason: 'not_found' }
      const conversation = await store.getConversation(conversationId)
      if (!conversation) return { ok: false, reason: 'not_found' }
      return { ok: true, ...result, conversation }
    },
    async replay(conversationId, afterSeq, limit) {
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute()
      return rows.map(toItem)
    },
    async lastSeqs(ids) {
      const seqs = new Map<string, number>()
      if (ids.length === 0) return seqs
      const rows = await db
        .selectFrom('conversations')
        .select(['id', 'last_seq'])
        .where('id', 'in', [...ids])
        .execute()
      for (const row of rows) seqs.set(row.id, Number(row.last_seq))
      return seqs
    },

    async close() {
      await db.destroy()
    },
  }
  return store
}
