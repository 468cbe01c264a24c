import type { ChatItem } from '@causette/events'
import { describe, expect, test } from 'vitest'
import { createFakeTransport } from './fake-transport.js'
import { createReplyTracker } from './reply-tracker.js'
import { appendItems, threadEntries } from './thread-entries.js'

const stream = 'conv:c1'
const self = { id: 'ag1', name: 'Alex' }
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

function item(seq: number, id: string, text: string, role: 'visitor' | 'agent' = 'visitor') {
  const body: ChatItem = {
    kind: 'message',
    author: role === 'agent' ? { role, id: self.id, name: self.name } : { role, id: 'v1' },
    content: { type: 'text', text },
    at: '2025-03-01T10:00:00.000Z',
  }
  return { seq, id, body }
}

describe('appendItems', () => {
  test('keeps seq order and each seq once', () => {
    const held = appendItems([], [item(1, 'a', 'one'), item(2, 'b', 'two')])
    const next = appendItems(held, [item(2, 'b', 'two'), item(3, 'c', 'three')])
    expect(next.map((i) => i.seq)).toEqual([1, 2, 3])
    expect(appendItems(next, [item(1, 'a', 'one')])).toBe(next)
  })
})

describe('reply tracker and thread entries', () => {
  test('a reply shows as sending, then sent, then once as stored', async () => {
    const fake = createFakeTransport()
    const replies = createReplyTracker(fake.transport, { now: () => Date.UTC(2025, 2, 1, 10) })
    replies.send(stream, { type: 'text', text: 'Hello' })
    const id = fake.sent[0]?.id ?? ''
    expect(fake.sent[0]?.body).toEqual({ type: 'text', text: 'Hello' })

    const sending = threadEntries([item(1, 'v', 'Hi')], replies.replies(stream), self)
    expect(sending.map((e) => (e.kind === 'message' ? [e.text, e.delivery] : e.kind))).toEqual([
      ['Hi', 'stored'],
      ['Hello', 'sending'],
    ])

    fake.ack(id, 2)
    await settle()
    expect(replies.replies(stream)[0]?.state).toBe('sent')

    fake.transport.follow(stream, 0)
    fake.deliver(stream, [item(2, id, 'Hello', 'agent')])
    expect(replies.replies(stream)).toEqual([])
    const stored = threadEntries([item(1, 'v', 'Hi'), item(2, id, 'Hello', 'agent')], [], self)
    expect(stored).toHaveLength(2)
  })

  test('a refused reply keeps its typed error, and a retry sends the same id', async () => {
    const fake = createFakeTransport()
    const replies = createReplyTracker(fake.transport)
    replies.send(stream, { type: 'text', text: 'Nope' })
    const id = fake.sent[0]?.id ?? ''
    fake.reject(id, 'invalid_payload')
    await settle()
    const [entry] = threadEntries([], replies.replies(stream), self)
    expect(
      entry?.kind === 'failed' && [entry.text, entry.error.code, entry.error.retryable],
    ).toEqual(['Nope', 'invalid_payload', false])
    replies.retry(id)
    expect(fake.sent.map((e) => e.id)).toEqual([id, id])
    expect(replies.replies(stream)[0]?.state).toBe('sending')
    fake.reject(id, 'invalid_payload')
    await settle()
    replies.discard(id)
    expect(replies.replies(stream)).toEqual([])
  })

  test('replies a previous page left in the outbox show as sending', () => {
    const id = '01950000-0000-7000-8000-000000000000'
    const fake = createFakeTransport([{ id, stream, body: { type: 'text', text: 'From before' } }])
    const replies = createReplyTracker(fake.transport)
    expect(replies.replies(stream).map((r) => [r.text, r.state])).toEqual([
      ['From before', 'sending'],
    ])
    expect(replies.replies(stream)[0]?.at).toBe(new Date(0x019500000000).toISOString())
  })

  test('an item that does not decode shows as unreadable, not as a crash', () => {
    const entries = threadEntries([{ seq: 1, id: 'x', body: { kind: 'image' } }], [], self)
    expect(entries).toEqual([{ kind: 'unreadable', id: 'x', seq: 1 }])
  })
})
