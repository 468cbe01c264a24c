import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createSqliteStore, openSqlite } from './create-sqlite-store.js'
import type { Store } from './store.js'

describe('SQLite store', () => {
  let dir: string
  let path: string
  let store: Store
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causette-store-'))
    path = join(dir, 'nested', 'causette.db')
    store = await createSqliteStore(path)
    await store.upsertSite({ id: 'demo', name: 'Demo', origins: [] })
  })
  afterEach(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const author = (id: string) => ({ role: 'visitor' as const, id })
  const text = (t: string) => ({ type: 'text' as const, text: t })

  test('is durable: WAL with synchronous=FULL, and data survives reopening the file', async () => {
    const raw = openSqlite(join(dir, 'probe.db'))
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(raw.pragma('synchronous', { simple: true })).toBe(2) // FULL
    raw.close()
    const file = new Sqlite(path, { readonly: true })
    expect(file.pragma('journal_mode', { simple: true })).toBe('wal')
    file.close()
    const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'h1' })
    const conversation = await store.openConversation(visitor)
    await store.appendMessage({
      conversationId: conversation.id,
      clientId: 'a',
      author: author(visitor.id),
      content: text('one'),
    })
    await store.close()
    store = await createSqliteStore(path)
    const items = await store.replay(conversation.id, 0, 10)
    expect(items).toMatchObject([{ seq: 1, id: 'a', body: { content: { text: 'one' } } }])
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

  test('a visitor never has two open conversations, even when opened concurrently', async () => {
    const visitor = await store.createVisitor({ siteId: 'demo', tokenHash: 'h3' })
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
})
