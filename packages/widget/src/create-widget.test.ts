import { afterEach, describe, expect, test, vi } from 'vitest'
import { CausetteError } from './causette-error.js'
import { createWidgetRuntime } from './create-widget.js'
import { createWidget } from './index.js'
import { widgetDefaults } from './options.js'
import { capturePageContext } from './page-context.js'
import { createFakeClock, ruleMatch, settle } from './test-support.js'

const base = { siteId: 'demo', serverUrl: 'http://127.0.0.1:1', storage: null } as const

/** Fails the test on any network use: these tests run without a server. */
const noFetch = (() => Promise.reject(new Error('no network in this test'))) as typeof fetch

afterEach(() => {
  document.body.replaceChildren()
})

describe('createWidget', () => {
  test('creating a widget touches nothing; init adds one shadow-rooted host with a launcher', async () => {
    const globalsBefore = Object.keys(globalThis).length
    const fetch = vi.fn(noFetch)
    const widget = createWidget({ ...base, fetch })
    expect(document.body.children).toHaveLength(0)
    const result = await widget.init()
    expect(result).toEqual({
      conversationId: null,
      consent: expect.objectContaining({ functionality_storage: 'granted' }),
    })
    await expect(widget.init()).rejects.toMatchObject({
      name: 'CausetteError',
      code: 'invalid_state',
      message: 'init() was already called',
    })
    const hosts = document.querySelectorAll('[data-causette]')
    expect(hosts).toHaveLength(1)
    const root = hosts[0]?.shadowRoot
    const launcher = root?.querySelector('button.launcher')
    expect(launcher?.getAttribute('aria-label')).toBe('Open chat')
    expect(launcher?.getAttribute('aria-expanded')).toBe('false')
    expect(root?.querySelector('.panel')?.hasAttribute('hidden')).toBe(true)
    expect(Object.keys(globalThis).length).toBe(globalsBefore)
    expect(fetch).not.toHaveBeenCalled()
    widget.destroy()
    expect(document.querySelectorAll('[data-causette]')).toHaveLength(0)
    await expect(widget.open()).rejects.toMatchObject({ code: 'invalid_state' })
  })

  test('open before init is a typed error that names the state', async () => {
    const widget = createWidget(base)
    const error = await widget.open().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CausetteError)
    expect(error).toMatchObject({ code: 'invalid_state', retryable: false })
    expect((error as Error).message).toBe('call init() first')
  })

  test('styles are adopted, never injected as <style> or style attributes', async () => {
    const widget = createWidget(base)
    await widget.init()
    const root = document.querySelector('[data-causette]')?.shadowRoot
    expect(root?.querySelector('style')).toBeNull()
    expect(root?.querySelector('[style]')).toBeNull()
    widget.destroy()
  })
})

describe('typed errors, never a synchronous throw', () => {
  test('unknown commands and bad arguments reject with invalid_argument', async () => {
    const { call } = createWidgetRuntime(base)
    const page = capturePageContext()
    const unknown = call('boot', [], page, 0)
    expect(unknown).toBeInstanceOf(Promise)
    await expect(unknown).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'unknown command "boot"',
    })
    await expect(call('set', ['visitor', { '9': 1 }], page, 0)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'set(values).9: expected a letter, then letters, digits or _',
    })
    await expect(call('track', ['', {}], page, 0)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'event: must not be empty',
    })
    await expect(call('track', ['e'.repeat(65)], page, 0)).rejects.toMatchObject({
      code: 'limit_exceeded',
    })
    await expect(
      call('track', ['Product Added', { product_id: 'p1', price: 10 }], page, 0),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'properties.currency: required when an amount is given',
    })
    await expect(call('prefill', [null], page, 0)).rejects.toBeInstanceOf(CausetteError)
  })

  test('limits that depend on state (keys per scope, distinct events) are limit_exceeded', async () => {
    const widget = createWidget(base)
    const first = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`a${i}`, i]))
    const second = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`b${i}`, i]))
    await widget.set('visitor', first)
    await expect(widget.set('visitor', second)).rejects.toMatchObject({
      code: 'limit_exceeded',
      message: 'set(values): the visitor scope would hold 51 keys, more than 50',
    })
    // Deleting makes room.
    await widget.set('visitor', { ...second, a0: null, a1: null })
    for (let i = 0; i < 100; i++) await widget.track(`Event ${i}`)
    await expect(widget.track('Event 100')).rejects.toMatchObject({ code: 'limit_exceeded' })
    await expect(widget.track('Event 99')).resolves.toEqual([{ event: 'Event 99' }])
  })

  test('npm on/once/off validate at once: a wrong event is a thrown CausetteError', () => {
    const widget = createWidget(base)
    expect(() => widget.on('nope' as never, () => undefined)).toThrow(CausetteError)
    expect(() => widget.off('ready', 'x' as never)).toThrow('off(handler): expected a function')
  })
})

describe('events: on, once, off', () => {
  test('several listeners run in order; on returns an unsubscribe; once runs once', async () => {
    const runtime = createWidgetRuntime(base)
    const { widget } = runtime
    await widget.init()
    const host = await runtime.host()
    const calls: string[] = []
    const a = () => calls.push('a')
    const stopB = widget.on('proactive:dismissed', () => calls.push('b'))
    widget.on('proactive:dismissed', a)
    widget.once('proactive:dismissed', () => calls.push('once'))
    widget.on('proactive:dismissed', a)
    const show = () => host.showProactive({ text: 'Hi' }, ruleMatch('r1'))
    show()
    show() // replaces the first: proactive:dismissed via 'replaced'
    expect(calls).toEqual(['b', 'a', 'once', 'a'])
    stopB()
    show()
    expect(calls.slice(4)).toEqual(['a', 'a'])
    widget.off('proactive:dismissed', a)
    show()
    expect(calls).toHaveLength(6)
    widget.on('proactive:dismissed', () => calls.push('c'))
    widget.off('proactive:dismissed')
    show()
    expect(calls).toHaveLength(6)
  })

  test('a listener that throws is reported and does not stop the others', async () => {
    const reported = vi.fn()
    vi.stubGlobal('reportError', reported)
    const widget = createWidget(base)
    const seen: string[] = []
    widget.on('ready', () => {
      throw new Error('host bug')
    })
    widget.on('ready', () => seen.push('second'))
    await widget.init()
    expect(seen).toEqual(['second'])
    expect(reported).toHaveBeenCalledWith(expect.objectContaining({ message: 'host bug' }))
    vi.unstubAllGlobals()
  })

  test('ready is replayed, once and asynchronously, to a listener added after it', async () => {
    const widget = createWidget(base)
    await widget.init()
    const late = vi.fn()
    widget.once('ready', late)
    expect(late).not.toHaveBeenCalled()
    await Promise.resolve()
    expect(late).toHaveBeenCalledWith({ conversationId: null })
    const stopped = vi.fn()
    widget.on('ready', stopped)()
    await Promise.resolve()
    expect(stopped).not.toHaveBeenCalled()
  })
})

describe('the personalisation chunk', () => {
  /** The real chunk, imported through a spy; `fail` makes the next imports fail. */
  function chunkLoader() {
    const state = { fail: 0 }
    const load = vi.fn(async () => {
      if (state.fail > 0) {
        state.fail--
        throw new Error('blocked by an extension')
      }
      return import('./personalise.js')
    })
    return { load, state }
  }

  test('a page view without host calls loads none of it: launcher, events and page() are the loader', async () => {
    const { load } = chunkLoader()
    const { widget } = createWidgetRuntime(base, { loadPersonalisation: load })
    const ready = vi.fn()
    widget.on('ready', ready)
    await widget.init()
    await expect(widget.page()).resolves.toMatchObject({ url: location.href, path: '/' })
    await widget.close()
    expect(ready).toHaveBeenCalledWith({ conversationId: null })
    expect(
      document.querySelector('[data-causette]')?.shadowRoot?.querySelector('.launcher'),
    ).not.toBeNull()
    await expect(widget.page({ url: 'ftp://x' } as never)).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    // page() with data needed it, and loaded it once.
    expect(load).toHaveBeenCalledTimes(1)
    widget.destroy()
  })

  test('the first call that needs it loads it once; calls made after it wait their turn', async () => {
    const { load } = chunkLoader()
    const ran: string[] = []
    const { widget } = createWidgetRuntime(base, {
      loadPersonalisation: load,
      onRun: (command) => ran.push(String(command)),
    })
    await widget.init()
    expect(load).not.toHaveBeenCalled()
    const calls = [
      widget.set('visitor', { plan: 'gold' }),
      widget.close(),
      widget.page(),
      widget.track('Product Viewed', { product_id: 'p1' }),
      widget.toggle().catch(() => 'the chat chunk is not needed here'),
    ]
    // Nothing ran yet: `close` and `page` need no schema but must not overtake `set`.
    expect(ran).toEqual(['init'])
    await Promise.all(calls)
    expect(ran).toEqual(['init', 'set', 'close', 'page', 'track', 'toggle'])
    expect(load).toHaveBeenCalledTimes(1)
    widget.destroy()
  })

  test('a chat chunk that never arrives: open() fails as network after the timeout, and the next open() tries again', async () => {
    const clock = createFakeClock()
    let attempts = 0
    const { widget } = createWidgetRuntime(
      { ...base, timers: clock.timers, now: clock.now },
      {
        loadChat: () => {
          attempts++
          return new Promise(() => undefined) // a request that stalls for ever
        },
      },
    )
    await widget.init()
    const opening = widget.open()
    await vi.waitFor(() => expect(attempts).toBe(1))
    clock.advance(widgetDefaults.loadTimeoutMs)
    await expect(opening).rejects.toMatchObject({ code: 'network', retryable: true })
    expect(widget.isOpen()).toBe(false)
    const again = widget.open()
    await vi.waitFor(() => expect(attempts).toBe(2))
    clock.advance(widgetDefaults.loadTimeoutMs)
    await expect(again).rejects.toMatchObject({ code: 'network' })
    widget.destroy()
  })

  test('init with options, identify, set, track, prefill and consent each load it', async () => {
    for (const run of [
      (w: ReturnType<typeof createWidget>) => w.init({ title: 'Help' }),
      (w: ReturnType<typeof createWidget>) => w.identify('a.b.c'),
      (w: ReturnType<typeof createWidget>) => w.prefill('Hello'),
      (w: ReturnType<typeof createWidget>) => w.consent({ analytics_storage: 'denied' }),
      (w: ReturnType<typeof createWidget>) => w.page({ type: 'cart' }),
    ]) {
      const { load } = chunkLoader()
      const { widget } = createWidgetRuntime(base, { loadPersonalisation: load })
      await run(widget)
      expect(load).toHaveBeenCalledTimes(1)
      widget.destroy()
    }
  })

  test('when it cannot load, the waiting calls reject with a retryable network error and the next call imports it again', async () => {
    const { load, state } = chunkLoader()
    const { widget } = createWidgetRuntime(base, { loadPersonalisation: load })
    await widget.init()
    state.fail = 1
    const set = widget.set('visitor', { plan: 'gold' })
    const close = widget.close()
    const track = widget.track('Product Viewed')
    await expect(set).rejects.toMatchObject({
      name: 'CausetteError',
      code: 'network',
      retryable: true,
      message: 'the widget could not load its personalisation part',
    })
    // What needs no schema still runs, in its turn.
    await expect(close).resolves.toBeUndefined()
    await expect(track).rejects.toMatchObject({ code: 'network' })
    await expect(widget.set('visitor', { plan: 'gold' })).resolves.toBeUndefined()
    expect(load).toHaveBeenCalledTimes(2)
    widget.destroy()
  })

  test('a chunk that never arrives fails the waiting calls after loadTimeoutMs', async () => {
    const clock = createFakeClock()
    let attempts = 0
    const { widget } = createWidgetRuntime(
      { ...base, timers: clock.timers, now: clock.now },
      {
        loadPersonalisation: () => {
          attempts++
          return attempts === 1 ? new Promise(() => undefined) : import('./personalise.js')
        },
      },
    )
    const set = widget.set('visitor', { plan: 'gold' })
    const init = widget.init()
    clock.advance(widgetDefaults.loadTimeoutMs - 1)
    await settle()
    expect(clock.pending()).toBe(1)
    clock.advance(1)
    await expect(set).rejects.toMatchObject({ code: 'network', retryable: true })
    // init needs no schema: it ran once the wait was over.
    await expect(init).resolves.toMatchObject({ conversationId: null })
    await expect(widget.set('visitor', { plan: 'gold' })).resolves.toBeUndefined()
    expect(clock.pending()).toBe(0)
    widget.destroy()
  })

  test('destroy rejects the calls still waiting; a chunk that lands afterwards starts nothing', async () => {
    let arrive: (module: typeof import('./personalise.js')) => void = () => undefined
    const { widget } = createWidgetRuntime(base, {
      loadPersonalisation: () => new Promise((resolve) => (arrive = resolve)),
    })
    const init = widget.init({ title: 'Help' })
    widget.destroy()
    await expect(init).rejects.toMatchObject({
      code: 'invalid_state',
      message: 'the widget was destroyed',
    })
    arrive(await import('./personalise.js'))
    await settle()
    expect(document.querySelectorAll('[data-causette]')).toHaveLength(0)
  })
})
