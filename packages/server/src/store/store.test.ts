import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { dropSchema, postgresMissing, postgresUrl, testSchema } from '../test-services.js'
import { createPostgresStore } from './create-postgres-store.js'
import { createSqliteStore, openSqlite } from './create-sqlite-store.js'
import type { Store } from './store.js'

const pgMissing = await postgresMissing()

/** Each backend: how to open a store on fresh data (again, for a reopen) and clean up. */
const backends = [
  {
    name: 'SQLite',
    skip: undefined as string | undefined,
    // One node only: better-sqlite3 is synchronous, so two stores in one process would wait on
    // each other's write lock while blocking the event loop the other one needs.
    multiNode: false,
    fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'causette-store-'))
      const path = join(dir, 'nested', 'causette.db')
      return {
        open: () => createSqliteStore(path),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      }
    },
  },
  {
    name: 'PostgreSQL',
    skip: pgMissing,
    multiNode: true,
    fresh() {
      const schema = testSchema()
      return {
        open: () => createPostgresStore({ url: postgresUrl, schema, poolSize: 5 }),
        cleanup: () => dropSchema(schema),
      }
    },
  },
]

/** Multi-node tests are not defined at all for a single-node backend (rather than skipped). */
const skipDefinition = (..._args: unknown[]) => undefined

const author = (id: string) => ({ role: 'visitor' as const, id })
const text = (t: string) => ({ type: 'text' as const, text: t })

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`${backend.name} store`, () => {
    const multiNodeTest = backend.multiNode ? test : skipDefinition
    let data: ReturnType<typeof backend.fresh>
    let store: Store
    beforeEach(async () => {
      data = backend.fresh()
      store = await data.open()
      await store.upsertSite({ id: 'demo', name: 'Demo', origins: [] })
    })
    afterEach(async () => {
      await store.close()
      await data.cleanup()
    })

    test('data survives closing and reopening the store', async () => {
      const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'h1' })
      const conversation = await store.openConversation(visitor)
      await store.appendMessage({
        conversationId: conversation.id,
        clientId: 'a',
        author: author(visitor.id),
        content: text('one'),
      })
      await store.close()
      store = await data.open()
      expect(await store.replay(conversation.id, 0, 10)).toMatchObject([
        { seq: 1, id: 'a', body: { content: { text: 'one' } } },
      ])
      expect(await store.findVisitorByTokenHash('h1')).toEqual(visitor)
    })

    test('concurrent appends get gapless, unique seqs; retried ids are stored once', async () => {
      const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'h2' })
      const { id } = await store.openConversation(visitor)
      const ids = Array.from({ length: 50 }, (_, i) => `m${i}`)
      // Every id twice, all at once: the duplicates must not take a seq.
      const outcomes = await Promise.all(
        [...ids, ...ids].map((clientId) =>
          store.appendMessage({
            conversationId: id,
            clientId,
            author: author(visitor.id),
            content: text(clientId),
          }),
        ),
      )
      expect(outcomes.every((o) => o.ok)).toBe(true)
      expect(outcomes.filter((o) => o.ok && o.duplicate)).toHaveLength(50)
      const items = await store.replay(id, 0, 1000)
      expect(items.map((i) => i.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
      expect(new Set(items.map((i) => i.id)).size).toBe(50)
      expect((await store.getConversation(id))?.lastSeq).toBe(50)
      expect(await store.replay(id, 48, 10)).toHaveLength(2)
      expect(await store.replay(id, 0, 5)).toHaveLength(5)
    })

    multiNodeTest(
      'two stores on the same data (two nodes) appending at once: gapless seqs, each id once',
      async () => {
        const other = await data.open()
        try {
          const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'h5' })
          const { id } = await store.openConversation(visitor)
          const ids = Array.from({ length: 40 }, (_, i) => `n${i}`)
          const outcomes = await Promise.all(
            ids.flatMap((clientId) =>
              [store, other].map((s) =>
                s.appendMessage({
                  conversationId: id,
                  clientId,
                  author: author(visitor.id),
                  content: text(clientId),
                }),
              ),
            ),
          )
          expect(outcomes.every((o) => o.ok)).toBe(true)
          // Exactly one of the two writers of each id stored it.
          expect(outcomes.filter((o) => o.ok && o.duplicate)).toHaveLength(40)
          const items = await store.replay(id, 0, 1000)
          expect(items.map((i) => i.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
          expect(new Set(items.map((i) => i.id)).size).toBe(40)
          // Both answers for one id name the same seq.
          const seqOf = new Map(items.map((i) => [i.id, i.seq]))
          for (const o of outcomes) if (o.ok) expect(o.item.seq).toBe(seqOf.get(o.item.id))
        } finally {
          await other.close()
        }
      },
    )

    multiNodeTest(
      'a visitor never has two open conversations, even when opened concurrently from two nodes',
      async () => {
        const other = await data.open()
        try {
          const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'h3' })
          const opened = await Promise.all(
            Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).openConversation(visitor)),
          )
          expect(new Set(opened.map((c) => c.id)).size).toBe(1)
        } finally {
          await other.close()
        }
      },
    )

    test('a visitor never has two open conversations, even when opened concurrently', async () => {
      const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'h4' })
      const opened = await Promise.all(
        Array.from({ length: 10 }, () => store.openConversation(visitor)),
      )
      expect(new Set(opened.map((c) => c.id)).size).toBe(1)
    })

    test('appending to an unknown conversation fails without storing anything', async () => {
      const outcome = await store.appendMessage({
        conversationId: 'nope',
        clientId: 'x',
        author: author('v'),
        content: text('hi'),
      })
      expect(outcome).toEqual({ ok: false, reason: 'not_found' })
    })

    test('agent upsert updates the password of an existing email; sessions expire', async () => {
      const a = await store.upsertAgent({
        email: 'Ada@Shop.test ',
        name: 'Ada',
        role: 'admin',
        passwordHash: 'h1',
      })
      const b = await store.upsertAgent({
        email: 'ada@shop.test',
        name: 'Ada L.',
        role: 'agent',
        passwordHash: 'h2',
      })
      expect(b.id).toBe(a.id)
      expect(await store.countAgents()).toBe(1)
      expect((await store.findAgentCredentials('ADA@shop.test'))?.passwordHash).toBe('h2')
      await store.createAgentSession({
        idHash: 's',
        agentId: a.id,
        csrfToken: 'c',
        expiresAt: '2030-01-01T00:00:00.000Z',
      })
      expect(await store.findAgentSession('s', '2029-12-31T00:00:00.000Z')).toMatchObject({
        csrfToken: 'c',
      })
      expect(await store.findAgentSession('s', '2030-01-02T00:00:00.000Z')).toBeUndefined()
    })

    test('lists open conversations of the given sites, most recently updated first', async () => {
      const v1 = await store.createVisitor({ siteId: 'demo', tokenHash: 'l1' })
      const v2 = await store.createVisitor({ siteId: 'demo', tokenHash: 'l2' })
      const c1 = await store.openConversation(v1)
      const c2 = await store.openConversation(v2)
      // Times have millisecond resolution: let the clock move so the order is defined.
      await new Promise((resolve) => setTimeout(resolve, 5))
      await store.appendMessage({
        conversationId: c1.id,
        clientId: 'x',
        author: author(v1.id),
        content: text('latest'),
      })
      const list = await store.listConversations({ siteIds: ['demo'], status: 'open', limit: 10 })
      expect(list.map((c) => c.id)).toEqual([c1.id, c2.id])
      expect(list[0]?.lastMessage).toMatchObject({ role: 'visitor', text: 'latest' })
      expect(await store.listConversations({ siteIds: [], status: 'open', limit: 10 })).toEqual([])
    })
  })
}

if (pgMissing) test.skip(`PostgreSQL store tests skipped: ${pgMissing}`, () => undefined)

test('SQLite is opened for durability: WAL with synchronous=FULL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'causette-pragma-'))
  try {
    const db = openSqlite(join(dir, 'probe.db'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
