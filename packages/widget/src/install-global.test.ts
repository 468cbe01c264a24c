import type { PageSnapshot } from '@causette/events'
import fc from 'fast-check'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { CausetteError } from './causette-error.js'
import { createWidgetRuntime } from './create-widget.js'
import { globalName, installGlobal } from './install-global.js'
import type { PageContext } from './page-context.js'
import { runSnippet, settle, snippetMin } from './test-support.js'

const base = { siteId: 'demo', serverUrl: 'http://127.0.0.1:1', storage: null } as const
type Causette = ((command: unknown, ...args: unknown[]) => Promise<unknown>) & { q?: unknown[] }

/** The page as the snippet and the widget see it: happy-dom's location and title. */
function navigate(path: string, title: string) {
  history.replaceState(null, '', path)
  document.title = title
}

function snippetOn(scope: Record<string, unknown>) {
  // The real snippet, with the page's real document and location behind the spies.
  runSnippet(snippetMin, scope, {
    get url() {
      return location.href
    },
    get title() {
      return document.title
    },
    get referrer() {
      return document.referrer
    },
  })
  return () => scope[globalName] as Causette
}

afterEach(() => {
  document.body.replaceChildren()
  navigate('/', '')
})

describe('installGlobal', () => {
  test('drains the queue in order, each call with its page, then answers directly', async () => {
    const scope: Record<string, unknown> = {}
    const causette = snippetOn(scope)
    navigate('/a', 'Page A')
    const first = causette()('page')
    const bad = causette()('set', 'visitor', { constructor: 1 })
    navigate('/b', 'Page B')
    const second = causette()('page', { type: 'product' })
    navigate('/c', 'Page C')
    const runtime = createWidgetRuntime(base)
    expect(installGlobal(scope, runtime)).toBe(true)
    expect(causette().q).toBeUndefined()
    await expect(first).resolves.toMatchObject({ path: '/a', title: 'Page A' })
    await expect(bad).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(second).resolves.toMatchObject({ path: '/b', title: 'Page B', type: 'product' })
    // The page the visitor is on when the loader arrives is recorded after the queue.
    expect((await runtime.host()).context().page_view).toMatchObject({
      path: '/c',
      title: 'Page C',
    })
    await expect(causette()('page')).resolves.toMatchObject({ path: '/c' })
    await expect(causette()('nope')).rejects.toBeInstanceOf(CausetteError)
    // A second loader on the same page leaves the live global alone.
    const live = scope[globalName]
    expect(installGlobal(scope, createWidgetRuntime(base))).toBe(false)
    expect(scope[globalName]).toBe(live)
    runtime.widget.destroy()
  })

  test("a page that kept the snippet's function still has its later calls run and answered", async () => {
    const scope: Record<string, unknown> = {}
    const causette = snippetOn(scope)
    const kept = causette() // `const C = window.Causette`, taken before the loader arrived
    navigate('/early', 'Early')
    const early = kept('page')
    const runtime = createWidgetRuntime(base)
    expect(installGlobal(scope, runtime)).toBe(true)
    navigate('/late', 'Late')
    const late = kept('page')
    await expect(early).resolves.toMatchObject({ path: '/early' })
    await expect(late).resolves.toMatchObject({ path: '/late', title: 'Late' })
    await expect(kept('nope')).rejects.toMatchObject({ code: 'invalid_argument' })
    runtime.widget.destroy()
  })

  test('without init in the queue, the widget is initialized first, on the first queued page', async () => {
    const scope: Record<string, unknown> = {}
    const causette = snippetOn(scope)
    navigate('/landing', 'Landing')
    const ready = vi.fn()
    void causette()('on', 'ready', ready)
    navigate('/next', 'Next')
    const runtime = createWidgetRuntime(base)
    const pages: string[] = []
    ;(await runtime.host()).onSignal((signal) => {
      if (signal.type === 'page') pages.push(signal.page.path)
    })
    installGlobal(scope, runtime, { defaults: { title: 'Help' } })
    await settle()
    expect(ready).toHaveBeenCalledTimes(1)
    expect(pages).toEqual(['/landing', '/next'])
    expect(document.querySelectorAll('[data-causette]')).toHaveLength(1)
    runtime.widget.destroy()
  })

  test('with init queued (or data-init="manual"), calls before it wait for nothing and fail clearly', async () => {
    const scope: Record<string, unknown> = {}
    const causette = snippetOn(scope)
    const early = causette()('open')
    const identify = causette()('identify', 'a.b.c')
    const init = causette()('init', { consent: 'required' })
    const runtime = createWidgetRuntime(base)
    installGlobal(scope, runtime)
    await expect(early).rejects.toMatchObject({
      code: 'invalid_state',
      message: 'call init() first',
    })
    await expect(identify).resolves.toEqual({ status: 'deferred', until: 'init' })
    await expect(init).resolves.toMatchObject({ consent: { functionality_storage: 'denied' } })
    runtime.widget.destroy()

    const manual: Record<string, unknown> = {}
    installGlobal(manual, createWidgetRuntime(base), { manual: true })
    expect(document.querySelectorAll('[data-causette]')).toHaveLength(0)
  })

  test('a loader that cannot start (no data-site) rejects every queued and later call', async () => {
    const scope: Record<string, unknown> = {}
    const causette = snippetOn(scope)
    const queued = causette()('page')
    const error = new CausetteError('invalid_state', 'add data-site')
    installGlobal(scope, error)
    await expect(queued).rejects.toBe(error)
    await expect(causette()('open')).rejects.toBe(error)
  })

  test('queue entries settle through their own resolve or reject, exactly once', async () => {
    const scope: Record<string, unknown> = {}
    const causette = snippetOn(scope)
    const page = { url: location.href, title: '', referrer: '' }
    const resolve = vi.fn()
    const reject = vi.fn()
    causette().q?.push(['page', [], page, Date.now(), resolve, reject], 'junk', [
      'bogus',
      'not-an-array',
      page,
      'not-a-time',
      resolve,
      reject,
    ])
    const runtime = createWidgetRuntime(base)
    installGlobal(scope, runtime)
    await settle()
    expect(resolve).toHaveBeenCalledTimes(1)
    expect(reject).toHaveBeenCalledTimes(1)
    expect(reject.mock.calls[0]?.[0]).toMatchObject({ code: 'invalid_argument' })
    runtime.widget.destroy()
  })
})

/** One step of a page's life: a host call, a navigation, the loader or the chunk arriving, or the chunk failing. */
type Step =
  | { readonly kind: 'call'; readonly call: readonly [string, ...unknown[]] }
  | { readonly kind: 'navigate'; readonly path: string }
  | { readonly kind: 'load' }
  | { readonly kind: 'arrive' }
  | { readonly kind: 'fail' }

const call = fc.oneof(
  fc.constant(['page'] as const),
  fc.constant(['page', { type: 'product' }] as const),
  fc.nat(20).map((n) => ['track', `Event ${n}`] as const),
  fc.constant(['track', ''] as const),
  fc.nat(9).map((n) => ['set', 'page', { step: n }] as const),
  fc.constant(['set', 'nowhere', {}] as const),
  fc.constant(['bogus'] as const),
  fc.constant(['on', 'ready', () => undefined] as const),
  fc.constant(['init'] as const),
  fc.constant(['identify', 42] as const),
  fc.constant(['close'] as const),
  fc.constant(['reset'] as const),
)
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: call.map((c) => ({ kind: 'call' as const, call: c })) },
  { weight: 1, arbitrary: fc.nat(5).map((n) => ({ kind: 'navigate' as const, path: `/p${n}` })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'load' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'arrive' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fail' as const }) },
)

const listeners = new Set<unknown>(['on', 'once', 'off'])

describe('the queue, whatever the timing of the load and of the personalisation chunk', () => {
  test('every call settles once, runs in call order, with the page it was made on; none waits for ever', async () => {
    const chunk = await import('./personalise.js')
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        navigate('/start', 'Start')
        const scope: Record<string, unknown> = {}
        const causette = snippetOn(scope)
        // The chunk arrives (or fails) when the steps say, each import a new attempt.
        const attempts: Array<{ arrive: () => void; fail: () => void }> = []
        let answered = 0
        const ran: Array<[unknown, string]> = []
        const runtime = createWidgetRuntime(base, {
          loadPersonalisation: () =>
            new Promise((resolve, reject) => {
              attempts.push({
                arrive: () => resolve(chunk),
                fail: () => reject(new Error('blocked by the network')),
              })
            }),
          onRun: (command, page) => {
            if (!listeners.has(command)) ran.push([command, page.url])
          },
        })
        // What the loader asks the widget to run, in the order it asks.
        const asked: Array<{ command: unknown; url: string; unavailable: boolean }> = []
        const traced = {
          ...runtime,
          call: (command: unknown, args: readonly unknown[], page: PageContext, at: number) => {
            const entry = { command, url: page.url, unavailable: false }
            asked.push(entry)
            const result = runtime.call(command, args, page, at)
            result.catch((error: CausetteError) => {
              entry.unavailable = error.message.includes('personalisation part')
              if (entry.unavailable)
                expect(error).toMatchObject({ code: 'network', retryable: true })
            })
            return result
          },
        }
        const made: Array<{ command: unknown; url: string; settled: number; result?: unknown }> = []
        let loaded = false
        for (const s of steps) {
          if (s.kind === 'navigate') navigate(s.path, `Title ${s.path}`)
          else if (s.kind === 'load' && !loaded) {
            loaded = true
            installGlobal(scope, traced)
          } else if (s.kind === 'arrive' || s.kind === 'fail') {
            const attempt = attempts[answered]
            if (attempt) {
              answered++
              if (s.kind === 'arrive') attempt.arrive()
              else attempt.fail()
              await settle()
            }
          } else if (s.kind === 'call') {
            const [command, ...args] = s.call
            const record: (typeof made)[number] = { command, url: location.href, settled: 0 }
            made.push(record)
            causette()(command, ...args).then(
              (result) => {
                record.settled++
                record.result = result
              },
              () => record.settled++,
            )
          }
        }
        if (!loaded) installGlobal(scope, traced)
        // Whatever is still on its way arrives in the end.
        for (;;) {
          await settle()
          const attempt = attempts[answered++]
          if (!attempt) break
          attempt.arrive()
        }
        await settle()
        expect(made.every((m) => m.settled === 1)).toBe(true)
        // The host calls reach the widget in the order they were made (after the automatic init).
        expect(asked.slice(asked.length - made.length).map((a) => [a.command, a.url])).toEqual(
          made.map((m) => [m.command, m.url]),
        )
        // They run in that order too, but for listeners (at once) and the calls that needed the
        // chunk when it failed (rejected).
        expect(ran).toEqual(
          asked
            .filter((a) => !listeners.has(a.command) && !a.unavailable)
            .map((a) => [a.command, a.url]),
        )
        for (const m of made) {
          if (m.command === 'page' && m.result) {
            expect((m.result as PageSnapshot).url).toBe(m.url)
          }
        }
        runtime.widget.destroy()
        document.body.replaceChildren()
      }),
      { numRuns: 200 },
    )
  })
})
