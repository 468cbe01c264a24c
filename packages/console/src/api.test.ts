import {
  createRuleMatch,
  decodeRule,
  emptyContextView,
  evaluateRule,
  type TriggerEvent,
} from '@causette/events'
import { describe, expect, test } from 'vitest'
import { createApi } from './api.js'

type Call = { url: string; init: RequestInit }

function fakeFetch(respond: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} }
    calls.push(call)
    return respond(call)
  }
  return { fetch: fetch as typeof globalThis.fetch, calls }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

const session = {
  agent: { id: 'ag1', email: 'a@shop.test', name: 'Alex', role: 'admin' },
  csrfToken: 'csrf-1',
}

describe('createApi', () => {
  test('signs in with a JSON body and reads the session', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, session))
    const result = await createApi({ fetch }).signIn({ email: 'a@shop.test', password: 'pw' })
    expect(result).toEqual({ ok: true, value: session })
    expect(calls[0]?.url).toBe('/api/v1/agent/session')
    expect(calls[0]?.init.method).toBe('POST')
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      email: 'a@shop.test',
      password: 'pw',
    })
  })

  test('maps wrong credentials to unauthorized', async () => {
    const { fetch } = fakeFetch(() =>
      json(401, { error: { code: 'unauthorized', message: 'wrong email or password' } }),
    )
    const result = await createApi({ fetch }).signIn({ email: 'a@shop.test', password: 'no' })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('unauthorized')
    expect(result.error.status).toBe(401)
    expect(result.error.retryable).toBe(false)
  })

  test('maps rate limiting with its Retry-After', async () => {
    const { fetch } = fakeFetch(() =>
      json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '30' }),
    )
    const result = await createApi({ fetch }).signIn({ email: 'a@shop.test', password: 'pw' })
    expect(
      result.ok || [result.error.code, result.error.retryAfterS, result.error.retryable],
    ).toEqual(['rate_limited', 30, true])
  })

  test('maps an unparseable error body by its status, and a thrown fetch to network', async () => {
    const broken = fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502 }))
    const down = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')))
    const a = await createApi({ fetch: broken.fetch }).openConversations()
    const b = await createApi({ fetch: down.fetch }).openConversations()
    expect(a.ok || a.error.code).toBe('internal')
    expect(b.ok || [b.error.code, b.error.status, b.error.retryable]).toEqual(['network', 0, true])
  })

  test('a missing session is not an error', async () => {
    const { fetch } = fakeFetch(() =>
      json(401, { error: { code: 'unauthorized', message: 'sign in first' } }),
    )
    expect(await createApi({ fetch }).session()).toEqual({ ok: true, value: undefined })
  })

  test('a malformed session is a bad_response', async () => {
    const { fetch } = fakeFetch(() => json(200, { agent: { id: 1 }, csrfToken: 'x' }))
    const result = await createApi({ fetch }).session()
    expect(result.ok || result.error.code).toBe('bad_response')
  })

  test('signs out with the CSRF header', async () => {
    const { fetch, calls } = fakeFetch(() => new Response(null, { status: 204 }))
    expect(await createApi({ fetch, baseUrl: 'https://chat.test' }).signOut('csrf-1')).toEqual({
      ok: true,
      value: undefined,
    })
    expect(calls[0]?.url).toBe('https://chat.test/api/v1/agent/session')
    expect(calls[0]?.init.method).toBe('DELETE')
    const headers = calls[0]?.init.headers as Record<string, string> | undefined
    expect(headers?.['X-Causette-CSRF']).toBe('csrf-1')
  })

  test('keeps the conversations that decode and drops the others', async () => {
    const good = {
      id: 'c1',
      siteId: 'demo',
      visitorId: 'v1',
      status: 'open',
      createdAt: '2025-03-01T10:00:00.000Z',
      updatedAt: '2025-03-01T10:00:00.000Z',
      lastSeq: 0,
    }
    const { fetch, calls } = fakeFetch(() => json(200, { conversations: [good, { id: 'c2' }] }))
    const result = await createApi({ fetch }).openConversations()
    expect(calls[0]?.url).toBe('/api/v1/conversations?status=open')
    expect(result).toEqual({ ok: true, value: [good] })
  })

  describe('conversationDetail', () => {
    const summary = {
      id: 'c/1',
      siteId: 'demo',
      visitorId: 'v1',
      status: 'open',
      createdAt: '2025-03-01T10:00:00.000Z',
      updatedAt: '2025-03-01T10:00:00.000Z',
      lastSeq: 0,
    }
    /** A match as the widget makes it, through JSON as the server stores it. */
    function ruleMatch() {
      const rule = decodeRule({
        id: 'checkout-help',
        name: 'Help at checkout',
        enabled: true,
        priority: 0,
        trigger: { type: 'page_view', path: '/checkout' },
        conditions: { all: [{ fact: 'cart.item_count', op: 'gte', value: 1 }] },
        actions: [{ type: 'open' }],
      })
      if (!rule.ok) throw new Error(rule.error.message)
      const event: TriggerEvent = { type: 'page_view', path: '/checkout' }
      const facts = { cart: { value: 10, currency: 'EUR', item_count: 1 } }
      const verdict = evaluateRule(rule.value, facts, 1_000, event)
      return JSON.parse(JSON.stringify(createRuleMatch(rule.value, verdict, event, 1_000)))
    }
    const answer = (context: Record<string, unknown>, conversation: unknown = summary) =>
      fakeFetch(() => json(200, { conversation, context: { ...emptyContextView(), ...context } }))

    test('reads a conversation with its context and the rule that started it', async () => {
      const match = ruleMatch()
      const { fetch, calls } = answer({ trigger: match })
      const result = await createApi({ fetch }).conversationDetail('c/1')
      expect(calls[0]?.url).toBe('/api/v1/conversations/c%2F1')
      expect(calls[0]?.init.method).toBe('GET')
      expect(result).toEqual({
        ok: true,
        value: {
          conversation: summary,
          context: { ...emptyContextView(), trigger: { kind: 'rule', match } },
        },
      })
    })

    test('a conversation without a rule was started by the visitor', async () => {
      const { fetch } = answer({ trigger: null })
      const result = await createApi({ fetch }).conversationDetail('c/1')
      expect(result.ok && result.value.context.trigger).toEqual({ kind: 'visitor' })
    })

    test('a rule that does not decode is unrecognised; the rest of the context is kept', async () => {
      const cart = { value: 0, item_count: 0, items: [], updated_at: 1 }
      const { fetch } = answer({ trigger: { ...ruleMatch(), rule_id: 42 }, cart })
      const result = await createApi({ fetch }).conversationDetail('c/1')
      expect(result.ok && result.value.context.trigger.kind).toBe('unrecognised')
      expect(result.ok && result.value.context.cart).toEqual(cart)
    })

    test('a context, or a conversation, that does not decode is a bad_response', async () => {
      for (const { fetch } of [
        answer({ page_view: { url: 'javascript:alert(1)', path: '/' } }),
        answer({}, { ...summary, lastSeq: 'many' }),
        answer({}, { ...summary, id: 'c2' }),
        fakeFetch(() => json(200, { conversation: summary })),
        fakeFetch(() => json(200, [])),
      ]) {
        const result = await createApi({ fetch }).conversationDetail('c/1')
        expect(result.ok || result.error.code).toBe('bad_response')
      }
    })

    test('a missing conversation is not_found', async () => {
      const { fetch } = fakeFetch(() =>
        json(404, { error: { code: 'not_found', message: 'no such conversation' } }),
      )
      const result = await createApi({ fetch }).conversationDetail('c/1')
      expect(result.ok || result.error.code).toBe('not_found')
    })
  })
})
