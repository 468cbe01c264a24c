import type { ConversationSummary } from '@causette/events'
import { describe, expect, test } from 'vitest'
import { fromSnapshot, sortConversations, upsertConversation } from './conversation-list.js'

function conversation(
  id: string,
  minute: number,
  lastSeq: number,
  extra: Partial<ConversationSummary> = {},
): ConversationSummary {
  const at = `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`
  return {
    id,
    siteId: 'demo',
    visitorId: `visitor-${id}`,
    status: 'open',
    createdAt: '2025-03-01T09:00:00.000Z',
    updatedAt: at,
    lastSeq,
    ...(lastSeq > 0 && {
      lastMessage: { role: 'visitor' as const, text: `message ${lastSeq}`, at },
    }),
    ...extra,
  }
}

const ids = (list: readonly ConversationSummary[]) => list.map((c) => c.id)

describe('sortConversations', () => {
  test('puts the most recently updated first, ties broken by id', () => {
    const list = [conversation('b', 5, 1), conversation('c', 9, 1), conversation('a', 5, 1)]
    expect(ids(sortConversations(list))).toEqual(['c', 'a', 'b'])
  })
})

describe('upsertConversation', () => {
  const list = sortConversations([conversation('a', 1, 2), conversation('b', 2, 1)])

  test('inserts a new conversation in order', () => {
    expect(ids(upsertConversation(list, conversation('c', 3, 1)))).toEqual(['c', 'b', 'a'])
  })

  test('replaces an older state and moves it to its new place', () => {
    const next = upsertConversation(list, conversation('a', 4, 3))
    expect(ids(next)).toEqual(['a', 'b'])
    expect(next[0]?.lastMessage?.text).toBe('message 3')
  })

  test('ignores a stale state and returns the same list', () => {
    expect(upsertConversation(list, conversation('a', 0, 1))).toBe(list)
  })

  test('takes a change without a new message when it is more recent', () => {
    const next = upsertConversation(
      list,
      conversation('a', 1, 2, { updatedAt: '2025-03-01T10:07:00.000Z' }),
    )
    expect(ids(next)).toEqual(['a', 'b'])
  })

  test('removes a conversation that is no longer open', () => {
    expect(ids(upsertConversation(list, conversation('b', 5, 1, { status: 'closed' })))).toEqual([
      'a',
    ])
    expect(upsertConversation(list, conversation('z', 5, 1, { status: 'closed' }))).toBe(list)
  })
})

describe('fromSnapshot', () => {
  test('the snapshot is the truth, and what was signalled meanwhile goes on top', () => {
    const snapshot = [conversation('b', 2, 1), conversation('a', 1, 2)]
    const signalled = [conversation('c', 3, 1), conversation('a', 0, 1), conversation('b', 4, 2)]
    const list = fromSnapshot(snapshot, signalled)
    expect(ids(list)).toEqual(['b', 'c', 'a'])
    expect(list.find((c) => c.id === 'a')?.lastSeq).toBe(2)
    expect(list.find((c) => c.id === 'b')?.lastSeq).toBe(2)
  })

  test('drops what is not open and what the snapshot no longer has', () => {
    const list = fromSnapshot([
      conversation('a', 1, 1),
      conversation('d', 1, 1, { status: 'closed' }),
    ])
    expect(ids(list)).toEqual(['a'])
  })
})
