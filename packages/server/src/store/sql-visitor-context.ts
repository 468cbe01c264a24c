import { randomUUID } from 'node:crypto'
import { type ContextView, type ConversationTrigger, emptyContextView } from '@causette/events'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from './schema.js'
import type { IdentifyOutcome, Store, Visitor } from './store.js'

/** Device tokens kept per identified visitor; the oldest goes when one more identifies. */
export const defaultMaxVisitorTokens = 20

/** Stored context JSON, written only by this module; parts added later get their defaults. */
export function parseView(text: string | null): ContextView {
  if (text === null) return emptyContextView()
  return { ...emptyContextView(), ...(JSON.parse(text) as Partial<ContextView>) }
}

/** The trigger lives in its own column; the stored view never carries one. */
export const viewJson = (view: ContextView) => JSON.stringify({ ...view, trigger: null })

export function toVisitor(row: {
  id: string
  site_id: string
  external_id: string | null
}): Visitor {
  return row.external_id === null
    ? { id: row.id, siteId: row.site_id }
    : { id: row.id, siteId: row.site_id, externalId: row.external_id }
}

/** Thrown inside an attempt when another writer changed the rows first: the attempt runs again. */
class Raced extends Error {
  constructor() {
    super('raced with another writer')
  }
}

/** A unique index refused a write (SQLite and PostgreSQL spellings). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}

/**
 * Takes the write lock of a visitor's row (PostgreSQL; SQLite has one writer anyway) and reads
 * its context: an update that changes nothing still locks, so read-modify-write is serial.
 */
function lockVisitor(trx: Transaction<Database>, id: string) {
  return trx
    .updateTable('visitors')
    .set((eb) => ({ context: eb.ref('context') }))
    .where('id', '=', id)
    .returning(['id', 'site_id', 'external_id', 'context'])
    .executeTakeFirst()
}

type VisitorContextQueries = Pick<
  Store,
  'getVisitor' | 'identifyVisitor' | 'readContext' | 'changeContext' | 'conversationContext'
> & {
  /** Creates the visitor's open conversation with its context, unless one is open. */
  createOpenConversation(visitor: Visitor, trigger: ConversationTrigger | undefined): Promise<void>
}

/** The store's identity and context queries, over the same Kysely database. */
export function createVisitorContextQueries(
  db: Kysely<Database>,
  iso: () => string,
): VisitorContextQueries {
  async function identifyOnce(input: {
    visitorId: string
    externalId: string
    tokenHash: string
    maxTokens: number
  }): Promise<IdentifyOutcome> {
    const { visitorId, externalId, tokenHash } = input
    const current = await db
      .selectFrom('visitors')
      .select(['id', 'site_id', 'external_id'])
      .where('id', '=', visitorId)
      .executeTakeFirst()
    if (!current) return { kind: 'not_found' }
    const self = toVisitor(current)
    if (current.external_id === externalId) return { kind: 'same', visitor: self }
    const known = await db
      .selectFrom('visitors')
      .select(['id', 'site_id', 'external_id'])
      .where('site_id', '=', current.site_id)
      .where('external_id', '=', externalId)
      .executeTakeFirst()

    if (!known && current.external_id === null) {
      // A racing device that binds the same id first makes this a unique violation: retried.
      const bound = await db
        .updateTable('visitors')
        .set({ external_id: externalId })
        .where('id', '=', visitorId)
        .where('external_id', 'is', null)
        .executeTakeFirst()
      if (Number(bound.numUpdatedRows) === 0) throw new Raced()
      return { kind: 'bound', visitor: { ...self, externalId } }
    }
    if (!known) {
      // This device was someone else's: the new person starts afresh, nothing of the other's
      // follows (neither conversations nor context).
      const id = randomUUID()
      await db
        .insertInto('visitors')
        .values({
          id,
          site_id: current.site_id,
          token_hash: tokenHash,
          created_at: iso(),
          external_id: externalId,
        })
        .execute()
      return {
        kind: 'switched',
        visitor: { id, siteId: current.site_id, externalId },
        from: self,
        movedConversationId: undefined,
      }
    }

    return db.transaction().execute(async (trx) => {
      // Both rows, in id order on every node, so two crossing identifies cannot deadlock.
      const rows = new Map<string, { external_id: string | null }>()
      for (const id of [visitorId, known.id].sort()) {
        const row = await lockVisitor(trx, id)
        if (row) rows.set(id, row)
      }
      if (
        rows.get(visitorId)?.external_id !== current.external_id ||
        rows.get(known.id)?.external_id !== externalId
      ) {
        throw new Raced()
      }
      await trx
        .insertInto('visitor_tokens')
        .values({ token_hash: tokenHash, visitor_id: known.id, created_at: iso() })
        .execute()
      const stale = await trx
        .selectFrom('visitor_tokens')
        .select('token_hash')
        .where('visitor_id', '=', known.id)
        .orderBy('created_at', 'desc')
        .orderBy('token_hash')
        .limit(1_000)
        .offset(input.maxTokens)
        .execute()
      if (stale.length > 0) {
        await trx
          .deleteFrom('visitor_tokens')
          .where(
            'token_hash',
            'in',
            stale.map((s) => s.token_hash),
          )
          .execute()
      }
      let moved: string | undefined
      // Only an anonymous visitor's conversation follows it: one identified as someone else
      // keeps its own.
      if (current.external_id === null) {
        const open = (visitor: string) =>
          trx
            .selectFrom('conversations')
            .select('id')
            .where('visitor_id', '=', visitor)
            .where('status', '=', 'open')
            .executeTakeFirst()
        const from = await open(visitorId)
        if (from && !(await open(known.id))) {
          await trx
            .updateTable('conversations')
            .set({ visitor_id: known.id, moved_from_visitor_id: visitorId, updated_at: iso() })
            .where('id', '=', from.id)
            .execute()
          moved = from.id
        }
      }
      return {
        kind: 'switched' as const,
        visitor: toVisitor(known),
        from: self,
        movedConversationId: moved,
      }
    })
  }

  return {
    async getVisitor(id) {
      const row = await db
        .selectFrom('visitors')
        .select(['id', 'site_id', 'external_id'])
        .where('id', '=', id)
        .executeTakeFirst()
      return row && toVisitor(row)
    },

    async identifyVisitor({ maxTokens = defaultMaxVisitorTokens, ...input }) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await identifyOnce({ ...input, maxTokens })
        } catch (error) {
          const retry = error instanceof Raced || isUniqueViolation(error)
          if (!retry || attempt >= 5) throw error
        }
      }
    },

    async readContext(visitorId) {
      const visitor = await db
        .selectFrom('visitors')
        .select('context')
        .where('id', '=', visitorId)
        .executeTakeFirst()
      if (!visitor) return undefined
      const open = await db
        .selectFrom('conversations')
        .select(['id', 'context'])
        .where('visitor_id', '=', visitorId)
        .where('status', '=', 'open')
        .executeTakeFirst()
      return {
        visitor: parseView(visitor.context),
        conversation: open && { id: open.id, context: parseView(open.context) },
      }
    },

    async changeContext(visitorId, change) {
      return db.transaction().execute(async (trx) => {
        const locked = await lockVisitor(trx, visitorId)
        if (!locked) return undefined
        const open = await trx
          .updateTable('conversations')
          .set((eb) => ({ context: eb.ref('context') }))
          .where('visitor_id', '=', visitorId)
          .where('status', '=', 'open')
          .returning(['id', 'context'])
          .executeTakeFirst()
        const next = change({
          visitor: parseView(locked.context),
          conversation: open && { id: open.id, context: parseView(open.context) },
        })
        await trx
          .updateTable('visitors')
          .set({ context: viewJson(next.visitor) })
          .where('id', '=', visitorId)
          .execute()
        if (open && next.conversation) {
          await trx
            .updateTable('conversations')
            .set({ context: viewJson(next.conversation) })
            .where('id', '=', open.id)
            .execute()
        }
        return { result: next.result, conversationId: open?.id }
      })
    },

    async conversationContext(conversationId) {
      const row = await db
        .selectFrom('conversations')
        .select(['context', 'trigger'])
        .where('id', '=', conversationId)
        .executeTakeFirst()
      if (!row) return undefined
      return {
        ...parseView(row.context),
        trigger: row.trigger === null ? null : (JSON.parse(row.trigger) as ConversationTrigger),
      }
    },

    async createOpenConversation(visitor, trigger) {
      await db.transaction().execute(async (trx) => {
        const locked = await lockVisitor(trx, visitor.id)
        const open = await trx
          .selectFrom('conversations')
          .select('id')
          .where('visitor_id', '=', visitor.id)
          .where('status', '=', 'open')
          .executeTakeFirst()
        if (open) return
        const view = parseView(locked?.context ?? null)
        const at = iso()
        // The partial unique index still guards against a writer that did not lock the visitor.
        const inserted = await trx
          .insertInto('conversations')
          .values({
            id: randomUUID(),
            site_id: visitor.siteId,
            visitor_id: visitor.id,
            status: 'open',
            created_at: at,
            updated_at: at,
            context: viewJson(view),
            trigger: trigger === undefined ? null : JSON.stringify(trigger),
          })
          .onConflict((oc) =>
            oc.column('visitor_id').where('status', '=', sql.lit('open')).doNothing(),
          )
          .executeTakeFirst()
        // The waiting conversation scope now belongs to the conversation.
        if (locked && Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
          await trx
            .updateTable('visitors')
            .set({ context: viewJson({ ...view, conversation: {} }) })
            .where('id', '=', visitor.id)
            .execute()
        }
      })
    },
  }
}
