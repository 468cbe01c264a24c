import { describe, expect, test } from 'vitest'
import { createId, createRandomPool } from './create-id.js'

describe('createId', () => {
  test('makes RFC 9562 UUIDv7s that sort by time', () => {
    const a = createId(1_700_000_000_000)
    const b = createId(1_700_000_000_001)
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(a.slice(0, 13)).toBe('018bcfe5-6800')
    expect(a < b).toBe(true)
  })

  test('is unique across many calls in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => createId(1)))
    expect(ids.size).toBe(10_000)
  })

  test('ids from a random pool are unique too, across refills', () => {
    const pool = createRandomPool(64)
    const ids = new Set(Array.from({ length: 5_000 }, () => createId(1, pool)))
    expect(ids.size).toBe(5_000)
  })
})
