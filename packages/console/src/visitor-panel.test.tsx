import { type ConversationSummary, emptyContextView, inboxTopic } from '@causette/events'
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { App } from './app.js'
import { ExternalLink } from './external-link.js'
import { createFakeTransport, type FakeTransport } from './fake-transport.js'
import type { GateClock } from './refetch-gate.js'
import {
  accessibleText,
  conversation,
  fakeApi,
  type RawAnswer,
  session,
  settle,
} from './test-support.js'
import { VisitorPanel } from './visitor-panel.js'

const eur = (amount: number) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(amount)

const matchedAt = Date.parse('2025-03-01T10:03:00.000Z')

/** A rule match as the server stores it: plain JSON, not yet decoded. */
const ruleMatch = {
  rule_id: 'big-cart-help',
  rule_name: 'Help with a big cart',
  trigger: { type: 'page_view', path: '/checkout' },
  matched_at: matchedAt,
  explanation: {
    enabled: true,
    trigger: { pass: true, reason: 'a page view of /checkout matches /checkout/*' },
    conditions: {
      kind: 'all',
      pass: true,
      reason: '3 of 3 passed, all needed',
      children: [
        {
          kind: 'leaf',
          pass: true,
          fact: 'cart.value',
          op: 'gt',
          expected: { amount: 100, currency: 'EUR' },
          actual: { amount: 129.9, currency: 'EUR' },
          trust: 'observed',
          reason: 'cart.value 129.9 EUR > 100 EUR',
        },
        {
          kind: 'any',
          pass: true,
          reason: '1 of 2 passed, one needed',
          children: [
            {
              kind: 'leaf',
              pass: false,
              fact: 'visitor.tier',
              op: 'eq',
              expected: 'vip',
              actual: 'basic',
              trust: 'host',
              reason: 'visitor.tier "basic" not = "vip"',
            },
            {
              kind: 'leaf',
              pass: true,
              fact: 'session.visits',
              op: 'gte',
              expected: 2,
              actual: 3,
              trust: 'observed',
              reason: 'session.visits 3 ≥ 2',
            },
          ],
        },
        {
          kind: 'not',
          pass: true,
          reason: 'not (visitor.blocked is absent)',
          child: {
            kind: 'leaf',
            pass: false,
            fact: 'visitor.blocked',
            op: 'is_true',
            reason: 'visitor.blocked is absent',
          },
        },
      ],
    },
  },
}

const cart = {
  currency: 'EUR',
  value: 129.9,
  item_count: 3,
  items: [
    {
      product_id: 'vase-1',
      name: 'Plum vase',
      variant: 'Large',
      quantity: 2,
      price: 49.95,
      url: 'https://shop.test/p/vase-1',
    },
    { product_id: 'sku-9', quantity: 1, price: 30 },
  ],
  updated_at: matchedAt,
}

const hostile = '<script>alert(1)</script>'

/** The body of `GET /conversations/:id`, with `context` over an empty view. */
function detail(summary: ConversationSummary, context: Record<string, unknown> = {}): RawAnswer {
  return {
    status: 200,
    body: { conversation: summary, context: { ...emptyContextView(), ...context } },
  }
}

const full = (summary: ConversationSummary) =>
  detail(summary, {
    visitor: {
      name: { value: hostile, trust: 'host', updated_at: matchedAt },
      zip: { value: '69001', trust: 'verified', updated_at: matchedAt },
      agent: { value: 'Firefox', trust: 'observed', updated_at: matchedAt },
      email: { value: 'ada@shop.test', trust: 'verified', updated_at: matchedAt },
    },
    observed: { device: { value: 'mobile', trust: 'observed', updated_at: matchedAt } },
    cart,
    page_view: {
      url: 'https://shop.test/checkout?step=2',
      path: '/checkout',
      title: '<img src=x onerror=alert(1)>',
      type: 'checkout',
      product: { product_id: 'vase-1', name: 'Plum vase', price: 49.95, currency: 'EUR' },
    },
    events: { 'Product Viewed': 5, 'Product Added': 2, 'Checkout Started': 1 },
    trigger: ruleMatch,
  })

let root: HTMLElement
const $ = (selector: string) => root.querySelector<HTMLElement>(selector)
const $$ = (selector: string) => Array.from(root.querySelectorAll<HTMLElement>(selector))
const panel = () => $('aside[aria-label="Visitor"]') as HTMLElement

/** The section of the panel under heading `name`. */
function section(name: string): HTMLElement {
  const heading = Array.from(panel().querySelectorAll('h3')).find((h) => accessibleText(h) === name)
  const found = heading?.closest('section')
  if (!found) throw new Error(`no section ${name}`)
  return found
}

/** A list item's own line, without the items nested in it. */
function ownText(item: Element): string {
  const copy = item.cloneNode(true) as Element
  for (const nested of Array.from(copy.querySelectorAll('ul'))) nested.remove()
  return accessibleText(copy)
}

function button(name: string): HTMLButtonElement {
  const found = $$('button').find((b) => accessibleText(b) === name)
  if (!found) throw new Error(`no button named ${name}`)
  return found as HTMLButtonElement
}

/** Signs in with a session already open, lists `summaries` and opens the first. */
async function openConversation(
  summaries: readonly ConversationSummary[],
  details: Record<string, RawAnswer[]>,
) {
  const { api, calls, answers } = fakeApi()
  answers.session = { ok: true, value: session }
  answers.conversations.push({ ok: true, value: summaries })
  for (const [id, list] of Object.entries(details)) answers.details.set(id, list)
  const fake = createFakeTransport()
  await act(() => render(<App api={api} openTransport={() => fake.transport} />, root))
  await settle()
  const first = $$('ul[aria-label="Conversations"] button')[0]
  await act(() => first?.click())
  await settle()
  return { api, calls, answers, fake }
}

/** Moves the clock past the refetch interval, so the next change is fetched at once. */
function laterBy(ms: number) {
  vi.setSystemTime(Date.now() + ms)
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  root = document.createElement('div')
  document.body.append(root)
})

afterEach(() => {
  render(null, root)
  root.remove()
  vi.useRealTimers()
})

describe('visitor panel', () => {
  test('shows the rule that started the conversation, condition by condition', async () => {
    const summary = conversation('bbbb', 5, 1, 'Do you ship to Lyon?')
    const { calls } = await openConversation([summary], { bbbb: [full(summary)] })
    expect(calls.filter((c) => c.startsWith('detail'))).toEqual(['detail bbbb'])

    const why = section('Why this conversation started')
    expect(Array.from(why.querySelectorAll('dt, dd')).map(accessibleText)).toEqual([
      'Rule',
      'Help with a big cart',
      'Triggered by',
      'Page view of /checkout',
      'When',
      expect.any(String),
    ])
    expect(why.querySelector('time')?.getAttribute('datetime')).toBe('2025-03-01T10:03:00.000Z')
    const steps = Array.from(why.querySelectorAll('ul[aria-label="How the rule matched"] li'))
    expect(steps.map(ownText)).toEqual([
      'Pass The rule is enabled',
      'Pass Trigger: a page view of /checkout matches /checkout/*',
      'Pass All of (3 of 3 passed, all needed)',
      'Pass cart.value 129.9 EUR > 100 EUR Observed by the widget',
      'Pass Any of (1 of 2 passed, one needed)',
      'Fail visitor.tier "basic" not = "vip" From the shop\'s page',
      'Pass session.visits 3 ≥ 2 Observed by the widget',
      'Pass Not',
      'Fail visitor.blocked is absent',
    ])
    // Nested as the tree is: the two alternatives sit inside "Any of".
    const any = steps.find((li) => ownText(li).startsWith('Pass Any of')) as Element
    expect(any.querySelectorAll(':scope > ul > li')).toHaveLength(2)
  })

  test('a conversation the visitor started, and a rule this console cannot read', async () => {
    const a = conversation('aaaa', 5, 1, 'Hello')
    const b = conversation('bbbb', 4, 1, 'Hi')
    await openConversation([a, b], {
      aaaa: [detail(a, { cart: { ...cart, items: [], value: 0, item_count: 0 } })],
      bbbb: [detail(b, { trigger: { ...ruleMatch, trigger: { type: 'teleport' } } })],
    })
    expect(accessibleText(section('Why this conversation started'))).toBe(
      'Why this conversation started Started by the visitor.',
    )
    expect(accessibleText(section('Cart'))).toBe('Cart Empty cart.')
    expect(accessibleText(section('Page'))).toBe('Page Not known yet.')

    await act(() => $$('ul[aria-label="Conversations"] button')[1]?.click())
    await settle()
    expect(accessibleText(section('Why this conversation started'))).toContain('(unrecognised)')
    // The rest of the context still shows.
    expect(accessibleText(section('Cart'))).toBe('Cart Nothing known about the cart.')
  })

  test('shows the cart in its currency, and the page', async () => {
    const summary = conversation('bbbb', 5, 1, 'Do you ship to Lyon?')
    await openConversation([summary], { bbbb: [full(summary)] })
    const rows = Array.from(section('Cart').querySelectorAll('tr')).map((tr) =>
      Array.from(tr.children).map(accessibleText),
    )
    expect(rows).toEqual([
      ['Product', 'Qty', 'Unit price'],
      ['Plum vase Large', '2', eur(49.95)],
      ['sku-9', '1', eur(30)],
      ['Total (3 items)', eur(129.9)],
    ])
    expect(eur(129.9)).toMatch(/129[.,]90/)
    const link = section('Cart').querySelector('a')
    expect(link?.getAttribute('href')).toBe('https://shop.test/p/vase-1')
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer nofollow')

    const page = section('Page')
    expect(Array.from(page.querySelectorAll('dt, dd')).map(accessibleText)).toEqual([
      'Title',
      '<img src=x onerror=alert(1)>',
      'Address',
      'https://shop.test/checkout?step=2',
      'Kind',
      'Checkout',
      'Product in view',
      `Plum vase ${eur(49.95)}`,
    ])
    expect(page.querySelector('a')?.getAttribute('href')).toBe('https://shop.test/checkout?step=2')
  })

  test('lists facts with their trust, verified first, and values only ever as text', async () => {
    const summary = conversation('bbbb', 5, 1, 'Do you ship to Lyon?')
    await openConversation([summary], { bbbb: [full(summary)] })
    const details = section('Details')
    const visitorFacts = Array.from(
      details.querySelectorAll('dl.facts--attributes')[0]?.querySelectorAll('.fact') ?? [],
    ).map((fact) => [
      accessibleText(fact.querySelector('dt') as Element),
      accessibleText(fact.querySelector('.fact-value') as Element),
      accessibleText(fact.querySelector('.trust') as Element),
    ])
    expect(visitorFacts).toEqual([
      ['email', 'ada@shop.test', 'Verified'],
      ['zip', '69001', 'Verified'],
      ['name', hostile, "From the shop's page"],
      ['agent', 'Firefox', 'Observed by the widget'],
    ])
    expect(Array.from(details.querySelectorAll('h4')).map(accessibleText)).toEqual([
      'Visitor',
      'Measured by the widget',
      'Events',
    ])
    expect(
      Array.from(details.querySelectorAll('dl.facts--events .fact')).map(accessibleText),
    ).toEqual(['Product Viewed 5 times', 'Product Added 2 times', 'Checkout Started once'])

    // Page strings are text nodes: nothing of them became an element.
    expect(panel().querySelector('script, img')).toBeNull()
    expect(panel().textContent).toContain(hostile)
  })

  test('a payload that does not decode shows an error, and Try again recovers', async () => {
    const summary = conversation('bbbb', 5, 1, 'Do you ship to Lyon?')
    const { calls } = await openConversation([summary], {
      bbbb: [detail(summary, { visitor: { name: 'not an entry' } }), full(summary)],
    })
    const body = panel().querySelector('section[aria-label="Visitor details"]') as HTMLElement
    expect(accessibleText(body)).toMatch(
      /^Visitor details could not be loaded\. The request failed \(bad_response\): context: visitor\.name.* Try again$/,
    )
    laterBy(1500)
    await act(() => button('Try again').click())
    await settle()
    expect(calls.filter((c) => c.startsWith('detail'))).toHaveLength(2)
    expect(accessibleText(section('Cart'))).toContain('Plum vase')
  })

  test('fetches again when the inbox says the conversation moved, and on reconnection', async () => {
    const summary = conversation('bbbb', 5, 1, 'Do you ship to Lyon?')
    const moved = conversation('bbbb', 9, 2, 'And to Lille?')
    const { calls, fake } = await openConversation([summary], {
      bbbb: [detail(summary), full(moved)],
    })
    const fetches = () => calls.filter((c) => c.startsWith('detail')).length
    expect(fetches()).toBe(1)
    expect(accessibleText(section('Cart'))).toBe('Cart Nothing known about the cart.')

    laterBy(1500)
    await act(() =>
      fake.signal(inboxTopic('demo'), { type: 'conversation.updated', conversation: moved }),
    )
    await settle()
    expect(fetches()).toBe(2)
    expect(accessibleText(section('Cart'))).toContain('Plum vase')

    // The same summary again changes nothing.
    laterBy(1500)
    await act(() =>
      fake.signal(inboxTopic('demo'), { type: 'conversation.updated', conversation: moved }),
    )
    await settle()
    expect(fetches()).toBe(2)

    // The connection came back: what changed meanwhile reached nobody, so fetch again.
    await act(() => fake.setState({ status: 'open', via: 'ws' }))
    await settle()
    expect(fetches()).toBe(3)
  })

  test('the toggle for narrow screens says whether the details are shown', async () => {
    const summary = conversation('bbbb', 5, 1, 'Do you ship to Lyon?')
    await openConversation([summary], { bbbb: [full(summary)] })
    const toggle = button('Visitor details')
    const body = $(`#${CSS.escape(toggle.getAttribute('aria-controls') ?? '')}`)
    expect(body?.getAttribute('aria-label')).toBe('Visitor details')
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    expect(body?.classList.contains('visitor-body--open')).toBe(false)
    await act(() => toggle.click())
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    expect(body?.classList.contains('visitor-body--open')).toBe(true)
  })
})

describe('visitor panel refetches', () => {
  /** A clock whose timers run when the test moves it. */
  function fakeClock() {
    let now = 0
    let next = 0
    const timers = new Map<number, { at: number; run: () => void }>()
    const clock: GateClock = {
      now: () => now,
      setTimeout(run, ms) {
        timers.set(++next, { at: now + ms, run })
        return next
      },
      clearTimeout: (handle) => timers.delete(handle as number),
    }
    return {
      clock,
      advance(ms: number) {
        now += ms
        for (const [id, timer] of [...timers]) {
          if (timer.at <= now) {
            timers.delete(id)
            timer.run()
          }
        }
      },
    }
  }

  test('a burst of changes makes one fetch now and one a second later, not one each', async () => {
    const { api, calls, answers } = fakeApi()
    const { clock, advance } = fakeClock()
    const fake: FakeTransport = createFakeTransport()
    const show = async (minute: number) => {
      const summary = conversation('bbbb', minute, minute, 'Hi')
      answers.details.set('bbbb', [detail(summary)])
      await act(() =>
        render(
          <VisitorPanel
            api={api}
            conversation={summary}
            transport={fake.transport}
            now={new Date()}
            onExpired={() => undefined}
            clock={clock}
          />,
          root,
        ),
      )
      await settle()
    }
    await show(1)
    expect(calls).toEqual(['detail bbbb'])
    await show(2)
    await show(3)
    await show(4)
    expect(calls).toHaveLength(1)
    await act(() => advance(999))
    expect(calls).toHaveLength(1)
    await act(() => advance(1))
    await settle()
    expect(calls).toHaveLength(2)
    await act(() => advance(5000))
    await settle()
    expect(calls).toHaveLength(2)
  })
})

describe('ExternalLink', () => {
  test('links http and https only; anything else stays text', async () => {
    await act(() =>
      render(
        <p>
          <ExternalLink url="javascript:alert(1)" />
          <ExternalLink url="data:text/html,x" />
          <ExternalLink url="https://shop.test/a" />
        </p>,
        root,
      ),
    )
    expect($$('a').map((a) => a.getAttribute('href'))).toEqual(['https://shop.test/a'])
    expect(root.textContent).toBe('javascript:alert(1)data:text/html,xhttps://shop.test/a')
  })
})
