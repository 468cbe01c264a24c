import { describe, expect, test } from 'vitest'
import { createOutbox, type StorageLike } from './outbox.js'

function memoryStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  }
}

describe('outbox', () => {
  test('survives a reload through storage, and empties it when drained', () => {
    const storage = memoryStorage()
    const first = createOutbox(storage, 'k')
    first.add({ id: 'a', stream: 's', body: 1 })
    first.add({ id: 'b', stream: 's', body: 2 })
    const reloaded = createOutbox(storage, 'k')
    expect(reloaded.entries().map((e) => e.id)).toEqual(['a', 'b'])
    reloaded.remove('a')
    reloaded.remove('b')
    expect(storage.data.has('k')).toBe(false)
  })

  test('keeps working in memory when storage throws or holds garbage', () => {
    const throwing: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => {
        throw new Error('QuotaExceededError')
      },
      removeItem: () => undefined,
    }
    const outbox = createOutbox(throwing, 'k')
    outbox.add({ id: 'a', stream: 's', body: 1 })
    expect(outbox.has('a')).toBe(true)
    const garbage = memoryStorage()
    garbage.data.set('k', '{not json')
    expect(createOutbox(garbage, 'k').entries()).toEqual([])
    garbage.data.set('k', JSON.stringify([{ id: 'ok', stream: 's', body: 1 }, { nope: true }]))
    expect(
      createOutbox(garbage, 'k')
        .entries()
        .map((e) => e.id),
    ).toEqual(['ok'])
  })
})
