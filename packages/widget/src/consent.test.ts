import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { storageKeys } from './create-device-storage.js'
import { createWidgetRuntime } from './create-widget.js'
import {
  createFakeSockets,
  ruleMatch,
  sendFromPanel,
  settle,
  startContractServer,
} from './test-support.js'

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2ln'

let server: Awaited<ReturnType<typeof startContractServer>>
beforeAll(async () => {
  server = await startContractServer()
  server.handlers.identify = () => ({
    status: 200,
    json: { visitorId: 'v1', verified: { email: 'ada@shop.test' }, expiresAt: 2e9 },
  })
})
afterAll(() => server.close())
afterEach(() => {
  document.body.replaceChildren()
  localStorage.clear()
  sessionStorage.clear()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

/** Every way a page can store or send something, watched. */
function watchEdges() {
  const storage = [
    vi.spyOn(Storage.prototype, 'getItem'),
    vi.spyOn(Storage.prototype, 'setItem'),
    vi.spyOn(Storage.prototype, 'removeItem'),
  ]
  const cookie = vi.spyOn(document, 'cookie', 'set')
  const beacon = vi.fn(() => true)
  vi.stubGlobal('navigator', { ...navigator, language: 'fr-FR', sendBeacon: beacon })
  const fetch = vi.fn((input: RequestInfo | URL, init?: RequestInit) =>
    globalThis.fetch(input, init),
  )
  const sockets = createFakeSockets()
  return {
    fetch,
    sockets,
    storageCalls: () => storage.reduce((n, spy) => n + spy.mock.calls.length, 0),
    touched: () =>
      storage.reduce((n, spy) => n + spy.mock.calls.length, 0) +
      cookie.mock.calls.length +
      beacon.mock.calls.length +
      fetch.mock.calls.length +
      sockets.sockets.length,
  }
}

describe("consent: 'required'", () => {
  test('reset() and a denial forget an earlier visit, even before anything was granted', async () => {
    const keys = storageKeys('demo', server.url)
    const earlier = () => {
      localStorage.setItem(keys.visitor, JSON.stringify({ visitorId: 'old', token: 'old-token' }))
      localStorage.setItem(keys.context, JSON.stringify({ email: 'old@shop.test' }))
      localStorage.setItem('shop:own-key', 'kept')
    }
    const start = () =>
      createWidgetRuntime({
        siteId: 'demo',
        serverUrl: server.url,
        WebSocket: createFakeSockets().WebSocket,
      }).widget
    // A customer signs out: the page resets before the banner has replayed "granted".
    earlier()
    const first = start()
    await first.init({ consent: 'required' })
    await first.reset()
    expect(localStorage.getItem(keys.visitor)).toBeNull()
    expect(localStorage.getItem(keys.context)).toBeNull()
    await first.consent({ functionality_storage: 'granted' })
    expect(localStorage.getItem(keys.visitor)).toBeNull()
    first.destroy()
    // The visitor says no: what an earlier visit stored goes too. The page's own keys stay.
    earlier()
    const second = start()
    await second.init({ consent: 'required' })
    await second.consent({ functionality_storage: 'denied' })
    expect(localStorage.getItem(keys.visitor)).toBeNull()
    expect(localStorage.getItem('shop:own-key')).toBe('kept')
    second.destroy()
  })

  test('nothing is stored and nothing is sent before consent; every call still answers', async () => {
    const edges = watchEdges()
    const runtime = createWidgetRuntime({
      siteId: 'demo',
      serverUrl: server.url,
      fetch: edges.fetch,
      WebSocket: edges.sockets.WebSocket,
      forward: { dataLayer: true },
    })
    const { widget } = runtime
    vi.stubGlobal('dataLayer', [])
    await expect(widget.init({ consent: 'required' })).resolves.toMatchObject({
      consent: { functionality_storage: 'denied', analytics_storage: 'denied' },
    })
    await widget.set('visitor', { plan: 'gold' })
    await widget.page({ type: 'product' })
    await widget.track('Product Viewed', { product_id: '42' })
    await widget.prefill('Hello')
    await expect(widget.identify(jwt)).resolves.toEqual({ status: 'deferred', until: 'consent' })
    await expect(widget.open()).rejects.toMatchObject({ code: 'consent_required', retryable: true })
    await expect(widget.toggle()).rejects.toMatchObject({ code: 'consent_required' })
    const host = await runtime.host()
    expect(host.showProactive({ text: 'Hi' }, ruleMatch())).toMatchObject({
      shown: false,
      error: { code: 'consent_required' },
    })
    await settle(20)
    expect(edges.touched()).toBe(0)
    expect((globalThis as { dataLayer?: unknown[] }).dataLayer).toEqual([])
    const launcher = document
      .querySelector('[data-causette]')
      ?.shadowRoot?.querySelector('.launcher')
    expect(launcher?.hasAttribute('hidden')).toBe(true)
    widget.destroy()
  })

  test('a page whose own analytics are broken does not break the widget: reported, not thrown', async () => {
    const runtime = createWidgetRuntime({
      siteId: 'demo',
      serverUrl: server.url,
      WebSocket: createFakeSockets().WebSocket,
      forward: { dataLayer: true, segment: true },
    })
    vi.stubGlobal('dataLayer', { not: 'an array' })
    vi.stubGlobal('analytics', {
      track: () => {
        throw new Error('analytics is broken')
      },
    })
    const { widget } = runtime
    const errors: string[] = []
    widget.on('error', ({ code }) => errors.push(code))
    await widget.init()
    await widget.consent({ analytics_storage: 'granted', functionality_storage: 'granted' })
    const host = await runtime.host()
    // The bubble still shows and its caps still count, whatever the page's analytics do.
    expect(host.showProactive({ text: 'Hi' }, ruleMatch())).toMatchObject({ shown: true })
    await settle(20)
    expect(errors.length).toBeGreaterThan(0)
    widget.destroy()
  })

  test('granting functionality_storage stores what was kept, connects, and runs the deferred identify', async () => {
    const edges = watchEdges()
    const { widget } = createWidgetRuntime({
      siteId: 'demo',
      serverUrl: server.url,
      consent: 'required',
      fetch: edges.fetch,
      WebSocket: edges.sockets.WebSocket,
    })
    await widget.init()
    await widget.set('visitor', { plan: 'gold' })
    await widget.identify(jwt)
    expect(edges.touched()).toBe(0)
    await expect(widget.consent({ functionality_storage: 'granted' })).resolves.toMatchObject({
      functionality_storage: 'granted',
      analytics_storage: 'denied',
    })
    const keys = storageKeys('demo', server.url)
    expect(JSON.parse(localStorage.getItem(keys.context) ?? '{}')).toEqual({ plan: 'gold' })
    await vi.waitFor(() =>
      expect(edges.fetch.mock.calls.map(([url]) => String(url).replace(server.url, ''))).toEqual([
        '/api/v1/widget/visitors',
        '/api/v1/widget/identify',
      ]),
    )
    const launcher = document
      .querySelector('[data-causette]')
      ?.shadowRoot?.querySelector('.launcher')
    expect(launcher?.hasAttribute('hidden')).toBe(false)
    widget.destroy()
  })

  test('revoking consent closes connections and removes every stored key', async () => {
    const edges = watchEdges()
    const { widget } = createWidgetRuntime({
      siteId: 'demo',
      serverUrl: server.url,
      fetch: edges.fetch,
      WebSocket: edges.sockets.WebSocket,
    })
    await widget.init()
    await widget.set('visitor', { plan: 'gold' })
    await widget.open()
    const root = document.querySelector('[data-causette]')?.shadowRoot
    await sendFromPanel('Hello')
    // The chat's transport is connecting when the visitor changes their mind.
    await vi.waitFor(() => expect(edges.sockets.sockets.length).toBeGreaterThan(0))
    const keys = Object.values(storageKeys('demo', server.url))
    expect(keys.some((key) => localStorage.getItem(key) !== null)).toBe(true)
    await widget.consent({ functionality_storage: 'denied' })
    await settle(10)
    expect(keys.filter((key) => localStorage.getItem(key) !== null)).toEqual([])
    expect(edges.sockets.sockets.every((socket) => socket.closed)).toBe(true)
    expect(widget.isOpen()).toBe(false)
    expect(root?.querySelector('.launcher')?.hasAttribute('hidden')).toBe(true)
    await expect(widget.open()).rejects.toMatchObject({ code: 'consent_required' })
    // In memory, the page goes on: granted again, the visitor is stored again.
    await widget.consent({ functionality_storage: 'granted' })
    expect(
      JSON.parse(localStorage.getItem(storageKeys('demo', server.url).context) ?? '{}'),
    ).toEqual({
      plan: 'gold',
    })
    // The stored conversation is resumed at once.
    await vi.waitFor(() => expect(server.requests.at(-1)?.path).toBe('/conversation'))
    widget.destroy()
  })

  test('analytics_storage gates forwarding to dataLayer and Segment', async () => {
    const dataLayer: unknown[] = []
    const track = vi.fn()
    vi.stubGlobal('dataLayer', dataLayer)
    vi.stubGlobal('analytics', { track })
    const runtime = createWidgetRuntime({
      siteId: 'demo',
      serverUrl: server.url,
      storage: null,
      fetch: () => Promise.reject(new Error('offline')),
    })
    const { widget } = runtime
    await widget.init({ consent: 'required', forward: { dataLayer: true, segment: true } })
    const host = await runtime.host()
    await widget.consent({ functionality_storage: 'granted' })
    host.showProactive({ text: 'Hi' }, ruleMatch('r1'))
    expect(dataLayer).toEqual([])
    await widget.consent({ analytics_storage: 'granted' })
    host.showProactive({ text: 'Hi again' }, ruleMatch('r2'))
    expect(dataLayer).toEqual([
      { event: 'causette.proactive_dismissed', causette: { rule_id: 'r1', via: 'replaced' } },
      { event: 'causette.proactive_shown', causette: { rule_id: 'r2' } },
    ])
    // Segment gets only its Live Chat spec events, none of which happened.
    expect(track).not.toHaveBeenCalled()
    widget.destroy()
  })
})
