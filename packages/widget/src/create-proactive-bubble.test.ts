import type { HostEvents } from '@causette/events'
import { afterEach, describe, expect, test } from 'vitest'
import { createWidgetRuntime } from './create-widget.js'
import { widgetCss } from './styles.js'
import { ruleMatch } from './test-support.js'

afterEach(() => {
  document.body.replaceChildren()
})

async function setup() {
  const runtime = createWidgetRuntime({
    siteId: 'demo',
    serverUrl: 'http://127.0.0.1:1',
    storage: null,
    fetch: () => Promise.reject(new Error('offline')),
  })
  await runtime.widget.init()
  const events: Array<[string, unknown]> = []
  for (const name of ['proactive:shown', 'proactive:dismissed', 'open'] as const) {
    runtime.widget.on(name, (payload: HostEvents[typeof name]) => events.push([name, payload]))
  }
  const root = document.querySelector('[data-causette]')?.shadowRoot
  if (!root) throw new Error('not mounted')
  return { ...runtime, host: await runtime.host(), events, root }
}

describe('the proactive message', () => {
  test('is text only, announced, and dismissed by its button', async () => {
    const { host, events, root, widget } = await setup()
    const text = '<img src=x onerror=alert(1)> Need a hand?'
    expect(host.showProactive({ text, author: 'Ada' }, ruleMatch('cart-help'))).toEqual({
      shown: true,
    })
    const bubble = root.querySelector('.proactive')
    expect(bubble?.getAttribute('role')).toBe('status')
    expect(bubble?.querySelector('img')).toBeNull()
    expect(bubble?.querySelector('.text')?.textContent).toBe(text)
    expect(bubble?.querySelector('.who')?.textContent).toBe('Ada')
    expect(events).toEqual([['proactive:shown', { text, author: 'Ada', ruleId: 'cart-help' }]])
    const dismiss = root.querySelector<HTMLButtonElement>('.proactive-dismiss')
    expect(dismiss?.getAttribute('aria-label')).toBe('Dismiss message')
    dismiss?.click()
    expect(root.querySelector('.proactive')).toBeNull()
    expect(events.at(-1)).toEqual(['proactive:dismissed', { ruleId: 'cart-help', via: 'button' }])
    widget.destroy()
  })

  test('Escape dismisses it, once', async () => {
    const { host, events, root, widget } = await setup()
    host.showProactive({ text: 'Hi' }, ruleMatch())
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    expect(root.querySelector('.proactive')).toBeNull()
    expect(events.filter(([name]) => name === 'proactive:dismissed')).toEqual([
      ['proactive:dismissed', { ruleId: 'cart-help', via: 'escape' }],
    ])
    widget.destroy()
  })

  test('refuses bad input with typed errors, and is not shown over an open panel', async () => {
    const { host, widget } = await setup()
    expect(host.showProactive({ text: '  ' }, ruleMatch())).toMatchObject({
      shown: false,
      error: { code: 'invalid_argument', message: 'message.text: must not be empty' },
    })
    expect(host.showProactive({ text: 'x'.repeat(501) }, ruleMatch())).toMatchObject({
      error: { code: 'limit_exceeded' },
    })
    expect(host.showProactive({ text: 'Hi' }, { rule_id: 'r1' } as never)).toMatchObject({
      error: { code: 'invalid_argument', message: 'match.rule_name: expected string' },
    })
    expect(host.showProactive({ text: 'Hi', html: '<b>' } as never, ruleMatch())).toMatchObject({
      error: { code: 'invalid_argument' },
    })
    // The chat chunk cannot load here (no server); the panel is open while it tries.
    void widget.open().catch(() => undefined)
    expect(host.showProactive({ text: 'Hi' }, ruleMatch())).toMatchObject({
      error: { code: 'invalid_state', message: 'the chat is open' },
    })
    widget.destroy()
  })

  test('never covers more than a corner of a phone screen', () => {
    const rule = widgetCss.slice(
      widgetCss.indexOf('.proactive {'),
      widgetCss.indexOf('}', widgetCss.indexOf('.proactive {')),
    )
    expect(rule).toContain('max-width: min(300px, calc(100vw - 32px))')
    expect(rule).toContain('max-height: min(160px, 30vh)')
    expect(rule).toContain('overflow: hidden')
    expect(widgetCss).toContain('-webkit-line-clamp: 4')
  })
})
