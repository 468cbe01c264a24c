import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  applyContextUpdate,
  type ContextUpdate,
  type ContextView,
  emptyContextView,
  type TrustLevel,
} from '@causette/events'
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

    test('identify: an anonymous visitor takes the id; a second device switches to it', async () => {
      const phone = await store.createVisitor({ siteId: 'demo', tokenHash: 'i1' })
      expect(
        await store.identifyVisitor({
          visitorId: phone.id,
          externalId: 'cust-1',
          tokenHash: 'unused',
        }),
      ).toEqual({
        kind: 'bound',
        visitor: { ...phone, externalId: 'cust-1' },
      })
      expect(
        await store.identifyVisitor({
          visitorId: phone.id,
          externalId: 'cust-1',
          tokenHash: 'unused',
        }),
      ).toMatchObject({ kind: 'same' })
      expect(await store.findVisitorByTokenHash('unused')).toBeUndefined()
      const phoneChat = await store.openConversation(phone)

      const laptop = await store.createVisitor({ siteId: 'demo', tokenHash: 'i2' })
      const laptopChat = await store.openConversation(laptop)
      const outcome = await store.identifyVisitor({
        visitorId: laptop.id,
        externalId: 'cust-1',
        tokenHash: 'i3',
      })
      expect(outcome).toEqual({
        kind: 'switched',
        visitor: { ...phone, externalId: 'cust-1' },
        from: laptop,
        // The known visitor already had an open conversation: the laptop's stays where it is.
        movedConversationId: undefined,
      })
      expect(await store.findVisitorByTokenHash('i3')).toEqual({ ...phone, externalId: 'cust-1' })
      expect(await store.findVisitorByTokenHash('i1')).toEqual({ ...phone, externalId: 'cust-1' })
      expect((await store.getConversation(laptopChat.id))?.visitorId).toBe(laptop.id)
      expect((await store.getConversation(phoneChat.id))?.visitorId).toBe(phone.id)
    })

    test('identify: the anonymous open conversation moves when the known visitor has none', async () => {
      const first = await store.createVisitor({ siteId: 'demo', tokenHash: 'j1' })
      await store.identifyVisitor({ visitorId: first.id, externalId: 'cust-2', tokenHash: 'x' })
      const second = await store.createVisitor({ siteId: 'demo', tokenHash: 'j2' })
      const chat = await store.openConversation(second)
      const outcome = await store.identifyVisitor({
        visitorId: second.id,
        externalId: 'cust-2',
        tokenHash: 'j3',
      })
      expect(outcome).toMatchObject({
        kind: 'switched',
        visitor: { id: first.id },
        movedConversationId: chat.id,
      })
      expect((await store.getConversation(chat.id))?.visitorId).toBe(first.id)
      expect((await store.findOpenConversation(first.id))?.id).toBe(chat.id)
      expect(await store.findOpenConversation(second.id)).toBeUndefined()
    })

    test('identify: a visitor known as someone else never takes another id or hands over data', async () => {
      const shared = await store.createVisitor({ siteId: 'demo', tokenHash: 'k1' })
      await store.identifyVisitor({ visitorId: shared.id, externalId: 'alice', tokenHash: 'x' })
      const aliceChat = await store.openConversation(shared)
      const outcome = await store.identifyVisitor({
        visitorId: shared.id,
        externalId: 'bob',
        tokenHash: 'k2',
      })
      if (outcome.kind !== 'switched') throw new Error(`expected a switch, got ${outcome.kind}`)
      expect(outcome.visitor.id).not.toBe(shared.id)
      expect(outcome.visitor.externalId).toBe('bob')
      expect(outcome.movedConversationId).toBeUndefined()
      expect(await store.findVisitorByTokenHash('k2')).toEqual(outcome.visitor)
      expect(await store.findOpenConversation(outcome.visitor.id)).toBeUndefined()
      expect((await store.getConversation(aliceChat.id))?.visitorId).toBe(shared.id)
      expect((await store.getVisitor(shared.id))?.externalId).toBe('alice')
      // Ids are per site: the same sub on another site is another person.
      await store.upsertSite({ id: 'other', name: 'Other', origins: [] })
      const elsewhere = await store.createVisitor({ siteId: 'other', tokenHash: 'k3' })
      expect(
        await store.identifyVisitor({
          visitorId: elsewhere.id,
          externalId: 'alice',
          tokenHash: 'k4',
        }),
      ).toMatchObject({ kind: 'bound' })
      expect(
        await store.identifyVisitor({ visitorId: 'nobody', externalId: 'alice', tokenHash: 'k5' }),
      ).toEqual({ kind: 'not_found' })
    })

    test('identify from many devices at once: one visitor holds the id, every device reaches it', async () => {
      const devices = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.createVisitor({ siteId: 'demo', tokenHash: `m${i}` }),
        ),
      )
      const outcomes = await Promise.all(
        devices.map((d, i) =>
          store.identifyVisitor({ visitorId: d.id, externalId: 'cust-3', tokenHash: `n${i}` }),
        ),
      )
      const holders = new Set(
        outcomes.map((o) => (o.kind === 'not_found' ? undefined : o.visitor.id)),
      )
      expect(holders.size).toBe(1)
      const [holder] = holders
      for (const [i, o] of outcomes.entries()) {
        const token = o.kind === 'switched' ? `n${i}` : `m${i}`
        expect((await store.findVisitorByTokenHash(token))?.id).toBe(holder)
      }
    })

    multiNodeTest('identify from two nodes at once: one visitor holds the id', async () => {
      const other = await data.open()
      try {
        const devices = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            store.createVisitor({ siteId: 'demo', tokenHash: `two${i}` }),
          ),
        )
        const outcomes = await Promise.all(
          devices.map((d, i) =>
            (i % 2 ? other : store).identifyVisitor({
              visitorId: d.id,
              externalId: 'cust-5',
              tokenHash: `twin${i}`,
            }),
          ),
        )
        const holders = new Set(outcomes.map((o) => (o.kind === 'not_found' ? '' : o.visitor.id)))
        expect(holders.size).toBe(1)
      } finally {
        await other.close()
      }
    })

    test('identify keeps the newest device tokens only', async () => {
      const known = await store.createVisitor({ siteId: 'demo', tokenHash: 'p0' })
      await store.identifyVisitor({ visitorId: known.id, externalId: 'cust-4', tokenHash: 'x' })
      for (let i = 1; i <= 4; i++) {
        const device = await store.createVisitor({ siteId: 'demo', tokenHash: `q${i}` })
        await store.identifyVisitor({
          visitorId: device.id,
          externalId: 'cust-4',
          tokenHash: `p${i}`,
          maxTokens: 2,
        })
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
      const reach = async (hash: string) => (await store.findVisitorByTokenHash(hash))?.id
      expect(await reach('p0')).toBe(known.id)
      expect(await reach('p1')).toBeUndefined()
      expect(await reach('p2')).toBeUndefined()
      expect(await reach('p3')).toBe(known.id)
      expect(await reach('p4')).toBe(known.id)
    })

    test('context: changes reach the visitor and its open conversation; a new one gets a copy', async () => {
      const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'c1' })
      const apply = (update: ContextUpdate, trust: TrustLevel = 'host') =>
        store.changeContext(visitor.id, ({ visitor: v, conversation }) => ({
          visitor: applyContextUpdate(
            v,
            { ...update, ...(conversation ? { conversation: undefined } : {}) },
            trust,
            1,
          ).view,
          ...(conversation
            ? { conversation: applyContextUpdate(conversation.context, update, trust, 1).view }
            : {}),
          result: conversation?.id,
        }))
      expect(
        await apply({ visitor: { plan: 'gold' }, conversation: { topic: 'returns' } }),
      ).toEqual({
        result: undefined,
        conversationId: undefined,
      })
      const trigger = {
        rule_id: 'r1',
        rule_name: 'Big cart',
        trigger: { type: 'timer' as const, after_s: 30 },
        matched_at: 1_700_000_000_000,
        explanation: {
          enabled: true,
          conditions: {
            kind: 'all' as const,
            pass: true,
            reason: 'all conditions hold',
            children: [],
          },
        },
      }
      const chat = await store.openConversation(visitor, { trigger })
      const seen = await store.conversationContext(chat.id)
      expect(seen?.visitor.plan?.value).toBe('gold')
      expect(seen?.conversation.topic?.value).toBe('returns')
      expect(seen?.trigger).toEqual(trigger)
      // The waiting conversation scope went to the conversation.
      expect((await store.readContext(visitor.id))?.visitor.conversation).toEqual({})
      expect(await apply({ page: { section: 'shoes' } })).toEqual({
        result: chat.id,
        conversationId: chat.id,
      })
      expect((await store.conversationContext(chat.id))?.page.section?.value).toBe('shoes')
      // Survives closing and reopening the store.
      await store.close()
      store = await data.open()
      const state = await store.readContext(visitor.id)
      expect(state?.visitor.page.section?.value).toBe('shoes')
      expect(state?.conversation?.id).toBe(chat.id)
      expect(
        await store.changeContext('nobody', () => ({ visitor: emptyContextView(), result: 1 })),
      ).toBeUndefined()
      expect(await store.conversationContext('nobody')).toBeUndefined()
    })

    test('context: concurrent changes apply one after the other, none lost', async () => {
      const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'c2' })
      await store.openConversation(visitor)
      const bump = () =>
        store.changeContext(visitor.id, ({ visitor: v, conversation }) => {
          const next = (view: ContextView) =>
            applyContextUpdate(view, { events: { bump: (view.events.bump ?? 0) + 1 } }, 'host', 1)
              .view
          return {
            visitor: next(v),
            ...(conversation ? { conversation: next(conversation.context) } : {}),
            result: undefined,
          }
        })
      await Promise.all(Array.from({ length: 20 }, bump))
      const state = await store.readContext(visitor.id)
      expect(state?.visitor.events.bump).toBe(20)
      expect(state?.conversation?.context.events.bump).toBe(20)
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
