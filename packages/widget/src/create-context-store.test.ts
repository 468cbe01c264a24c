import { describe, expect, test } from 'vitest'
import { contextDefaults, createContextStore } from './create-context-store.js'
import { createMemoryStorage, storageKeys } from './create-device-storage.js'
import { createFakeClock } from './test-support.js'

const keys = storageKeys('demo', 'https://chat.test')
const page = (path: string) => ({ url: `https://shop.test${path}`, path })

function store(storage = createMemoryStorage()) {
  const clock = createFakeClock()
  return { clock, storage, context: createContextStore({ storage, keys, now: clock.now }) }
}

describe('the context store', () => {
  test('keeps every scope, and sends it whole at a conversation start', () => {
    const { context } = store()
    expect(context.set('visitor', { plan: 'gold', vip: true })).toBeUndefined()
    context.set('session', { campaign: 'spring' })
    context.set('conversation', { topic: 'returns' })
    context.pageView(page('/p/42'))
    context.set('page', { sku: 'P-42' })
    context.count(['Product Viewed'])
    context.count(['Product Viewed'])
    context.setObserved({ language: 'fr-FR' })
    expect(context.snapshot()).toEqual({
      visitor: { plan: 'gold', vip: true },
      session: { campaign: 'spring' },
      page: { sku: 'P-42' },
      conversation: { topic: 'returns' },
      observed: { language: 'fr-FR' },
      page_view: page('/p/42'),
      events: { 'Product Viewed': 2 },
    })
    // The start carried everything: nothing is left to send.
    expect(context.takeChanges()).toBeUndefined()
  })

  test('coalesces changes per key, sends deletions as null, and puts back what failed', () => {
    const { context } = store()
    context.set('visitor', { plan: 'gold', tier: 1 })
    context.snapshot()
    context.set('visitor', { plan: 'silver' })
    context.set('visitor', { plan: 'bronze', tier: null })
    const changes = context.takeChanges()
    expect(changes).toEqual({ visitor: { plan: 'bronze', tier: null } })
    context.set('visitor', { plan: 'platinum' })
    context.restoreChanges(changes ?? {})
    // The newer value of `plan` wins over the one that failed; `tier` is sent again.
    expect(context.takeChanges()).toEqual({ visitor: { plan: 'platinum', tier: null } })
  })

  test('a new page clears the page scope (and tells the server); the same URL keeps it', () => {
    const { context } = store()
    context.pageView(page('/a'))
    context.set('page', { step: 1 })
    context.pageView({ ...page('/a'), type: 'product' })
    expect(context.view().page).toEqual({ step: 1 })
    context.takeChanges()
    context.pageView(page('/b'))
    expect(context.view().page).toBeUndefined()
    expect(context.takeChanges()).toEqual({ page: { step: null }, page_view: page('/b') })
  })

  test('the key limit counts the scope after merging, deletions included', () => {
    const { context } = store()
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]))
    expect(context.set('session', fifty)).toBeUndefined()
    expect(context.set('session', { extra: 1 })).toBe(
      'set(values): the session scope would hold 51 keys, more than 50',
    )
    expect(context.set('session', { extra: 1, k0: null })).toBeUndefined()
    expect(Object.keys(context.view().session ?? {})).toHaveLength(50)
  })

  test('counts at most 100 distinct event names per session', () => {
    const { context } = store()
    for (let i = 0; i < 100; i++) expect(context.count([`e${i}`])).toBeUndefined()
    expect(context.count(['e100'])).toMatch(/more than 100 distinct event names/)
    expect(context.count(['e5'])).toBeUndefined()
    expect(context.view().events?.e5).toBe(2)
  })

  test('persists the visitor scope and the session; a session ends after 30 idle minutes', () => {
    const storage = createMemoryStorage()
    const first = store(storage)
    // Nothing is written before load() has read what is there (the widget loads once allowed).
    first.context.set('visitor', { plan: 'gold' })
    expect(storage.getItem(keys.context)).toBeNull()
    first.context.load()
    first.context.set('session', { campaign: 'spring' })
    first.context.count(['Cart Viewed'])

    const later = createContextStore({ storage, keys, now: () => first.clock.now() + 60_000 })
    later.set('visitor', { locale: 'fr' })
    later.load()
    expect(later.view()).toMatchObject({
      visitor: { plan: 'gold', locale: 'fr' },
      session: { campaign: 'spring' },
      events: { 'Cart Viewed': 1 },
    })

    const idle = contextDefaults.sessionIdleMs + 1
    const nextDay = createContextStore({
      storage,
      keys,
      now: () => first.clock.now() + 60_000 + idle,
    })
    nextDay.load()
    expect(nextDay.view().visitor).toEqual({ plan: 'gold', locale: 'fr' })
    expect(nextDay.view().session).toBeUndefined()
    expect(nextDay.view().events).toBeUndefined()
  })

  test('stored values that do not pass the checks are ignored', () => {
    const storage = createMemoryStorage()
    storage.setItem(keys.context, JSON.stringify({ ok: 1, constructor: 'x' }))
    storage.setItem(keys.session, '{not json')
    const { context } = store(storage)
    context.load()
    expect(context.view().visitor).toBeUndefined()
  })

  test('reset forgets everything, in memory and in storage', () => {
    const { context, storage } = store()
    context.set('visitor', { plan: 'gold' })
    context.pageView(page('/a'))
    context.reset()
    expect(context.view()).toEqual({})
    expect(storage.getItem(keys.context)).toBeNull()
    expect(storage.getItem(keys.session)).toBeNull()
  })
})
