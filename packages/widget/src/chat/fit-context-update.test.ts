import { contextLimits } from '@causette/events'
import { expect, test } from 'vitest'
import { fitContextUpdate } from './fit-context-update.js'

test('an update within the cap is sent whole', () => {
  const update = { visitor: { plan: 'gold' }, events: { 'Cart Viewed': 2 } }
  expect(fitContextUpdate(update)).toEqual({ update, dropped: [] })
})

test('an update over the cap loses whole parts, the least personal first, and says which', () => {
  const big = (n: number) =>
    Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(n)]))
  const update = {
    visitor: { plan: 'gold' },
    session: big(500),
    page: big(500),
    events: { 'Cart Viewed': 2 },
  }
  const { update: fitted, dropped } = fitContextUpdate(update)
  expect(dropped).toEqual(['events', 'page'])
  expect(fitted).toEqual({ visitor: { plan: 'gold' }, session: update.session })
  expect(new TextEncoder().encode(JSON.stringify(fitted)).length).toBeLessThanOrEqual(
    contextLimits.updateBytesMax,
  )
})
