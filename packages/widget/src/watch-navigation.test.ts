import { afterEach, describe, expect, test } from 'vitest'
import { createWidgetRuntime } from './create-widget.js'
import { createFakeClock } from './test-support.js'
import { type NavigateEventLike, watchNavigation } from './watch-navigation.js'

/** A stand-in for the Navigation API: an event target that the test dispatches `navigate` on. */
function fakeNavigation() {
  const listeners = new Set<(event: NavigateEventLike) => void>()
  return {
    addEventListener: (_: 'navigate', listener: (event: NavigateEventLike) => void) =>
      void listeners.add(listener),
    removeEventListener: (_: 'navigate', listener: (event: NavigateEventLike) => void) =>
      void listeners.delete(listener),
    navigate(event: NavigateEventLike) {
      for (const listener of listeners) listener(event)
    },
    listeners,
  }
}

afterEach(() => {
  document.body.replaceChildren()
  history.replaceState(null, '', '/')
})

describe('watchNavigation', () => {
  test('uses the Navigation API where present, and only for same-document navigations', () => {
    const clock = createFakeClock()
    const navigation = fakeNavigation()
    const seen: number[] = []
    const stop = watchNavigation({ navigation, window }, () => seen.push(clock.now()), clock.timers)
    navigation.navigate({ destination: { sameDocument: true } })
    navigation.navigate({ destination: { sameDocument: true } })
    navigation.navigate({ destination: { sameDocument: false } })
    // popstate is the Navigation API's job here: not heard twice.
    window.dispatchEvent(new PopStateEvent('popstate'))
    clock.advance(100)
    expect(seen).toHaveLength(1)
    stop()
    expect(navigation.listeners.size).toBe(0)
  })

  test('falls back to popstate and hashchange, and never patches history', () => {
    const clock = createFakeClock()
    const pushState = history.pushState
    const seen: string[] = []
    const stop = watchNavigation({ window }, () => seen.push(location.pathname), clock.timers)
    expect(history.pushState).toBe(pushState)
    history.pushState(null, '', '/a')
    window.dispatchEvent(new PopStateEvent('popstate'))
    clock.advance(100)
    window.dispatchEvent(new HashChangeEvent('hashchange'))
    clock.advance(100)
    stop()
    window.dispatchEvent(new PopStateEvent('popstate'))
    clock.advance(100)
    expect(seen).toEqual(['/a', '/a'])
  })
})

describe('single-page navigation in the widget', () => {
  test('a navigation records a page view with the new URL and title, and clears the page scope', async () => {
    const clock = createFakeClock()
    const navigation = fakeNavigation()
    const runtime = createWidgetRuntime({
      siteId: 'demo',
      serverUrl: 'http://127.0.0.1:1',
      storage: null,
      timers: clock.timers,
      now: clock.now,
      navigation: { navigation },
    })
    history.replaceState(null, '', '/shop')
    document.title = 'Shop'
    const { widget } = runtime
    await widget.init()
    await widget.set('page', { banner: 'sale' })
    const host = await runtime.host()
    const pages: string[] = []
    host.onSignal((signal) => {
      if (signal.type === 'page') pages.push(`${signal.page.path} ${signal.page.title}`)
    })
    // The router pushes the URL, then sets the title: the widget waits a moment for both.
    navigation.navigate({ destination: { sameDocument: true } })
    history.pushState(null, '', '/shop/vase')
    document.title = 'Plum vase'
    clock.advance(50)
    expect(pages).toEqual(['/shop/vase Plum vase'])
    expect(host.context().page).toBeUndefined()
    expect(host.context().page_view).toMatchObject({ path: '/shop/vase', title: 'Plum vase' })
    // A navigation that changes nothing records nothing.
    navigation.navigate({ destination: { sameDocument: true } })
    clock.advance(50)
    expect(pages).toHaveLength(1)
    widget.destroy()
    expect(navigation.listeners.size).toBe(0)
  })

  test('trackPages: false records no page on its own; page() still does', async () => {
    const navigation = fakeNavigation()
    const runtime = createWidgetRuntime({
      siteId: 'demo',
      serverUrl: 'http://127.0.0.1:1',
      storage: null,
      navigation: { navigation },
    })
    const { widget } = runtime
    await widget.init({ trackPages: false })
    const host = await runtime.host()
    expect(host.context().page_view).toBeUndefined()
    expect(navigation.listeners.size).toBe(0)
    await expect(widget.page({ type: 'cart' })).resolves.toMatchObject({ type: 'cart', path: '/' })
    widget.destroy()
  })
})
