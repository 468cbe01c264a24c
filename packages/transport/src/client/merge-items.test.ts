import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { StreamItem } from '../protocol/frames.js'
import { mergeItems } from './merge-items.js'

const item = (seq: number): StreamItem => ({ seq, id: `id-${seq}`, body: seq })

/**
 * A network that duplicates, reorders and drops: the server's stream 1..n is delivered as
 * arbitrary batches drawn from it, and every gap the client reports is answered by a replay
 * of everything after its cursor (what the server does on `sub`).
 */
describe('mergeItems', () => {
  test('whatever the interleaving of duplicates, reorders and drops, the client ends with 1..n once each, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.array(fc.nat(59), { maxLength: 20 }), { maxLength: 30 }),
        (n, batches) => {
          let cursor = 0
          const delivered: StreamItem[] = []
          const apply = (items: StreamItem[]) => {
            const merged = mergeItems(cursor, items)
            // Never goes back, never skips, never repeats.
            expect(merged.cursor).toBeGreaterThanOrEqual(cursor)
            expect(merged.fresh.map((i) => i.seq)).toEqual(
              Array.from({ length: merged.cursor - cursor }, (_, k) => cursor + k + 1),
            )
            delivered.push(...merged.fresh)
            cursor = merged.cursor
            return merged.gap
          }
          for (const batch of batches) {
            const items = batch.filter((s) => s < n).map((s) => item(s + 1))
            if (apply(items))
              apply(Array.from({ length: n - cursor }, (_, k) => item(cursor + k + 1)))
          }
          // The final replay after the last cursor (what a reconnect does).
          apply(Array.from({ length: n - cursor }, (_, k) => item(cursor + k + 1)))
          expect(delivered.map((i) => i.seq)).toEqual(Array.from({ length: n }, (_, k) => k + 1))
        },
      ),
      { numRuns: 2_000 },
    )
  })

  test('a gap stops at the last consecutive item and is reported', () => {
    expect(mergeItems(2, [item(3), item(5), item(4)])).toEqual({
      cursor: 5,
      fresh: [item(3), item(4), item(5)],
      gap: false,
    })
    expect(mergeItems(2, [item(3), item(6)])).toEqual({ cursor: 3, fresh: [item(3)], gap: true })
    expect(mergeItems(5, [item(1), item(5)])).toEqual({ cursor: 5, fresh: [], gap: false })
  })
})
