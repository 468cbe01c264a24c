import { generateKeyPairSync } from 'node:crypto'
import type { ContextView } from '@causette/events'
import { type ChatItem, conversationStream } from '@causette/events'
import type { StreamItem, Transport } from '@causette/transport'
import { base64url, SignJWT } from 'jose'
import { afterEach, describe, expect, test } from 'vitest'
import { hashToken } from '../auth/tokens.js'
import { createServer } from '../create-server.js'
import { mintIdentityToken } from '../identity/index.js'
import {
  json,
  newVisitor,
  signIn,
  startTestServer,
  type TestServer,
  until,
  visitorTransport,
} from '../test-support.js'

type ErrorBody = { error: { code: string; message: string } }
type Identified = {
  visitorId: string
  token?: string
  verified: Record<string, unknown>
  expiresAt: number
}

const secret = 'the-shop-backend-secret-0123456789abcdef'
const hsKey = { kid: 'shop-2026', alg: 'HS256', secret } as const
const es = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const esPublicPem = es.publicKey.export({ type: 'spki', format: 'pem' }).toString()
const esKey = { kid: 'shop-es', alg: 'ES256', publicKey: esPublicPem } as const

const withIdentity = () =>
  startTestServer({
    sites: [{ id: 'demo', name: 'Demo', origins: [], identity: { keys: [hsKey, esKey] } }],
  })

const mint = (sub: string, claims = {}) => mintIdentityToken({ key: hsKey, sub, claims })

function call(url: string, method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  return fetch(`${url}/api/v1${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

async function identify(url: string, visitorToken: string, jwt: string) {
  return call(url, 'POST', '/widget/identify', visitorToken, { token: jwt })
}

async function anonymous(url: string) {
  return json<{ visitorId: string; token: string }>(
    await call(url, 'POST', '/widget/visitors', undefined, { siteId: 'demo' }),
  )
}

/** The context of the visitor a token reaches, read from the store: visitors cannot read it. */
async function contextOf(server: TestServer, token: string): Promise<ContextView> {
  const visitor = await server.server.store.findVisitorByTokenHash(hashToken(token))
  const state = visitor && (await server.server.store.readContext(visitor.id))
  if (!state) throw new Error('no visitor holds this token')
  return state.visitor
}

function collect(transport: Transport) {
  const items: StreamItem[] = []
  transport.onItems((_stream, fresh) => items.push(...fresh))
  return items
}

describe('identify', () => {
  let t: TestServer | undefined
  const open: Transport[] = []
  afterEach(async () => {
    for (const transport of open.splice(0)) transport.close()
    await t?.stop()
    t = undefined
  })

  test('a valid token makes its claims verified facts of the visitor', async () => {
    t = await withIdentity()
    const visitor = await anonymous(t.url)
    const jwt = await mint('cust-1', {
      email: 'ada@shop.example',
      name: 'Ada',
      attributes: { plan: 'gold', orders: 12 },
    })
    const response = await identify(t.url, visitor.token, jwt)
    expect(response.status).toBe(200)
    const body = await json<Identified>(response)
    expect(body).toEqual({
      visitorId: visitor.visitorId,
      verified: { email: 'ada@shop.example', name: 'Ada', plan: 'gold', orders: 12 },
      expiresAt: expect.any(Number),
    })
    expect(body.expiresAt).toBeGreaterThan(Date.now())
    const context = await contextOf(t, visitor.token)
    expect(context.visitor.email).toMatchObject({ value: 'ada@shop.example', trust: 'verified' })
    expect(context.visitor.orders).toMatchObject({ value: 12, trust: 'verified' })
  })

  test('refused tokens get typed 401 errors; a site without keys says so', async () => {
    t = await withIdentity()
    const visitor = await anonymous(t.url)
    const iat = Math.floor(Date.now() / 1000)
    const sign = (
      header: Record<string, unknown>,
      payload: Record<string, unknown>,
      key: Uint8Array,
    ) => new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key)
    const bytes = (s: string) => new TextEncoder().encode(s)
    const none = `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${base64url.encode(
      JSON.stringify({ sub: 'x', exp: iat + 60 }),
    )}.`
    const cases: Array<[string, string]> = [
      [
        await sign(
          { alg: 'HS256', kid: 'shop-2026' },
          { sub: 'x', iat: iat - 600, exp: iat - 300 },
          bytes(secret),
        ),
        'identity_expired',
      ],
      [
        await sign(
          { alg: 'HS256', kid: 'shop-2026' },
          { sub: 'x', exp: iat + 60 },
          bytes(`${secret}-wrong`),
        ),
        'identity_bad_signature',
      ],
      [none, 'identity_bad_algorithm'],
      [
        await sign(
          { alg: 'HS256', kid: 'shop-es' },
          { sub: 'x', exp: iat + 60 },
          bytes(esPublicPem),
        ),
        'identity_bad_algorithm',
      ],
      [
        await sign({ alg: 'HS256', kid: 'shop-2026' }, { exp: iat + 60 }, bytes(secret)),
        'identity_missing_sub',
      ],
      [
        await sign({ alg: 'HS256', kid: 'retired' }, { sub: 'x', exp: iat + 60 }, bytes(secret)),
        'identity_unknown_key',
      ],
      [
        await sign(
          { alg: 'HS256', kid: 'shop-2026' },
          { sub: 'x', iat, exp: iat + 2 * 86_400 },
          bytes(secret),
        ),
        'identity_lifetime_too_long',
      ],
      ['not-a-jwt', 'identity_malformed'],
    ]
    for (const [jwt, code] of cases) {
      const response = await identify(t.url, visitor.token, jwt)
      expect(response.status, code).toBe(401)
      expect((await json<ErrorBody>(response)).error.code).toBe(code)
    }
    // Nothing of the refused tokens stuck.
    expect((await contextOf(t, visitor.token)).visitor).toEqual({})

    const noKeys = await startTestServer()
    try {
      const v = await anonymous(noKeys.url)
      const response = await identify(noKeys.url, v.token, await mint('x'))
      expect(response.status).toBe(400)
      expect((await json<ErrorBody>(response)).error.code).toBe('identity_not_configured')
    } finally {
      await noKeys.stop()
    }
  })

  test('identify needs a visitor token and a well-formed body; it is rate limited', async () => {
    t = await withIdentity()
    expect((await identify(t.url, '', await mint('x'))).status).toBe(401)
    const visitor = await anonymous(t.url)
    const bad = await call(t.url, 'POST', '/widget/identify', visitor.token, { jwt: 'x' })
    expect(bad.status).toBe(400)
    expect((await json<ErrorBody>(bad)).error.code).toBe('invalid_argument')
    const statuses: number[] = []
    for (let i = 0; i < 10; i++)
      statuses.push((await identify(t.url, visitor.token, 'junk')).status)
    expect(statuses.filter((s) => s === 401)).toHaveLength(9)
    const limited = await identify(t.url, visitor.token, await mint('x'))
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  test('ES256 tokens and rotation: a token of either configured key is accepted', async () => {
    t = await withIdentity()
    const visitor = await anonymous(t.url)
    const esToken = await mintIdentityToken({
      key: { kid: 'shop-es', alg: 'ES256', privateKey: es.privateKey },
      sub: 'cust-es',
    })
    expect((await identify(t.url, visitor.token, esToken)).status).toBe(200)
    expect((await identify(t.url, visitor.token, await mint('cust-es'))).status).toBe(200)
  })

  test('a visitor identified on two devices sees one history', async () => {
    t = await withIdentity()
    const phone = await newVisitor(t.url)
    expect((await identify(t.url, phone.token, await mint('cust-2'))).status).toBe(200)
    const stream = conversationStream(phone.conversationId)
    const onPhone = visitorTransport(t.url, phone.token)
    open.push(onPhone)
    onPhone.follow(stream)
    expect(await onPhone.send(stream, { type: 'text', text: 'Where is my order?' })).toMatchObject({
      ok: true,
    })

    const laptop = await anonymous(t.url)
    const response = await identify(t.url, laptop.token, await mint('cust-2'))
    const switched = await json<Identified>(response)
    expect(switched.visitorId).toBe(phone.visitorId)
    expect(switched.token).toEqual(expect.any(String))
    expect(switched.token).not.toBe(phone.token)
    const token = switched.token ?? ''

    const current = await json<{ conversation: { id: string } | null }>(
      await call(t.url, 'GET', '/widget/conversation', token),
    )
    expect(current.conversation?.id).toBe(phone.conversationId)
    const onLaptop = visitorTransport(t.url, token)
    open.push(onLaptop)
    const seen = collect(onLaptop)
    onLaptop.follow(stream)
    await until(() => seen.length === 1, 5_000, 'the laptop to replay the history')
    expect((seen[0]?.body as ChatItem | undefined)?.content.text).toBe('Where is my order?')
    // Both devices write to the one conversation.
    expect(await onLaptop.send(stream, { type: 'text', text: 'From my laptop' })).toMatchObject({
      ok: true,
      seq: 2,
    })
    // The phone's token still works, and identifying again on it changes nothing.
    const again = await json<Identified>(await identify(t.url, phone.token, await mint('cust-2')))
    expect(again).toMatchObject({ visitorId: phone.visitorId })
    expect(again.token).toBeUndefined()
  })

  test('an anonymous conversation follows the device to the known visitor, with its context', async () => {
    t = await withIdentity()
    const known = await anonymous(t.url)
    await identify(t.url, known.token, await mint('cust-3', { email: 'c3@shop.example' }))
    const device = await newVisitor(t.url)
    await call(t.url, 'POST', '/widget/context', device.token, {
      visitor: { email: 'spoof@evil.example', size: 'M' },
      session: { campaign: 'spring' },
    })
    const switched = await json<Identified>(
      await identify(t.url, device.token, await mint('cust-3')),
    )
    const token = switched.token ?? ''
    expect(switched.visitorId).toBe(known.visitorId)
    const moved = await json<{
      conversation: { id: string; visitorId: string; movedFromVisitorId?: string } | null
    }>(await call(t.url, 'GET', '/widget/conversation', token))
    expect(moved.conversation).toMatchObject({
      id: device.conversationId,
      visitorId: known.visitorId,
    })
    // The anonymous token no longer reaches the conversation it gave away.
    const left = await json<{ conversation: unknown }>(
      await call(t.url, 'GET', '/widget/conversation', device.token),
    )
    expect(left.conversation).toBeNull()
    // But a send still in flight under it (an outbox entry, another tab) is stored, not refused.
    const late = visitorTransport(t.url, device.token)
    open.push(late)
    const sent = await late.send(conversationStream(device.conversationId), {
      type: 'text',
      text: 'sent before the switch',
    })
    expect(sent).toMatchObject({ ok: true, seq: 1 })
    expect(moved.conversation).toMatchObject({ movedFromVisitorId: device.visitorId })
    const context = await contextOf(t, token)
    expect(context.visitor.size).toMatchObject({ value: 'M', trust: 'host' })
    expect(context.session.campaign?.value).toBe('spring')
    // The host value carried over never replaces the verified one.
    expect(context.visitor.email).toMatchObject({ value: 'c3@shop.example', trust: 'verified' })
  })

  test('a token for another sub never reaches the first person: a new visitor, nothing carried', async () => {
    t = await withIdentity()
    const shared = await newVisitor(t.url)
    await identify(t.url, shared.token, await mint('alice', { attributes: { tier: 'gold' } }))
    await call(t.url, 'POST', '/widget/context', shared.token, { visitor: { basket_note: 'gift' } })
    const bob = await json<Identified>(await identify(t.url, shared.token, await mint('bob')))
    expect(bob.visitorId).not.toBe(shared.visitorId)
    const token = bob.token ?? ''
    expect(token).not.toBe('')
    const conversation = await json<{ conversation: unknown }>(
      await call(t.url, 'GET', '/widget/conversation', token),
    )
    expect(conversation.conversation).toBeNull()
    expect((await contextOf(t, token)).visitor).toEqual({})
    const asBob = visitorTransport(t.url, token)
    open.push(asBob)
    const denied = await asBob.send(conversationStream(shared.conversationId), {
      type: 'text',
      text: 'let me in',
    })
    expect(denied).toMatchObject({ ok: false })
    // Alice's own token still holds her data.
    expect((await contextOf(t, shared.token)).visitor.tier?.value).toBe('gold')
  })
})

describe('context', () => {
  let t: TestServer | undefined
  afterEach(async () => {
    await t?.stop()
    t = undefined
  })

  test('context given before the conversation starts with it; agents see trust levels and the rule', async () => {
    t = await withIdentity()
    const visitor = await anonymous(t.url)
    await identify(t.url, visitor.token, await mint('cust-9', { email: 'nine@shop.example' }))
    const early = await call(t.url, 'POST', '/widget/context', visitor.token, {
      visitor: { plan: 'free', email: 'other@x.example' },
      conversation: { topic: 'returns' },
      observed: { device: 'mobile' },
      events: { 'Product Added': 2 },
      cart: { value: 120, currency: 'EUR', item_count: 1, items: [], updated_at: 1 },
    })
    expect(early.status).toBe(200)
    expect(await json(early)).toEqual({
      ok: true,
      rejected: [{ scope: 'visitor', key: 'email', reason: 'weaker_trust' }],
    })
    const trigger = {
      rule_id: 'big-cart',
      rule_name: 'Cart over 100 EUR',
      trigger: { type: 'timer' as const, after_s: 30 },
      matched_at: 1_700_000_000_000,
      explanation: {
        enabled: true,
        conditions: {
          kind: 'all' as const,
          pass: true,
          reason: 'all conditions hold',
          children: [],
        },
      },
    }
    const started = await call(t.url, 'POST', '/widget/conversations', visitor.token, {
      context: { page: { section: 'checkout' } },
      trigger,
    })
    expect(started.status).toBe(200)
    const { conversation } = await json<{ conversation: { id: string } }>(started)

    const { cookie } = await signIn(t.url)
    const agentView = async () =>
      json<{ conversation: { id: string }; context: ContextView }>(
        await fetch(`${t?.url}/api/v1/conversations/${conversation.id}`, { headers: { cookie } }),
      )
    const { context } = await agentView()
    expect(context.visitor.email).toMatchObject({ value: 'nine@shop.example', trust: 'verified' })
    expect(context.visitor.plan).toMatchObject({ value: 'free', trust: 'host' })
    expect(context.conversation.topic).toMatchObject({ value: 'returns', trust: 'host' })
    expect(context.observed.device).toMatchObject({ value: 'mobile', trust: 'observed' })
    expect(context.page.section?.value).toBe('checkout')
    expect(context.events).toEqual({ 'Product Added': 2 })
    expect(context.cart).toMatchObject({ value: 120, currency: 'EUR' })
    expect(context.trigger).toEqual(trigger)

    // Live: an update while the conversation is open reaches the agent's view.
    await call(t.url, 'POST', '/widget/context', visitor.token, { page: { section: 'payment' } })
    expect((await agentView()).context.page.section?.value).toBe('payment')
    expect(
      (await fetch(`${t.url}/api/v1/conversations/nope`, { headers: { cookie } })).status,
    ).toBe(404)
    expect((await fetch(`${t.url}/api/v1/conversations/${conversation.id}`)).status).toBe(401)
    // The existing empty call keeps working and answers the same conversation.
    const again = await call(t.url, 'POST', '/widget/conversations', visitor.token)
    expect((await json<{ conversation: { id: string } }>(again)).conversation.id).toBe(
      conversation.id,
    )
  })

  test('limits and malformed input are typed 400 errors, and nothing is applied', async () => {
    t = await withIdentity()
    const visitor = await anonymous(t.url)
    const keys = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
    const cases: Array<[unknown, string]> = [
      [{ visitor: keys(51) }, 'limit_exceeded'],
      [{ visitor: { note: 'x'.repeat(513) } }, 'limit_exceeded'],
      [{ events: keys(101) }, 'limit_exceeded'],
      [
        {
          visitor: Object.fromEntries(
            Array.from({ length: 40 }, (_, i) => [`a${i}`, 'x'.repeat(500)]),
          ),
          page: Object.fromEntries(
            Array.from({ length: 40 }, (_, i) => [`b${i}`, 'x'.repeat(500)]),
          ),
        },
        'limit_exceeded',
      ],
      [{ visitor: { 'bad key': 1 } }, 'invalid_argument'],
      [{ visitor: { constructor: 1 } }, 'invalid_argument'],
      [{ visitor: { nested: { a: 1 } } }, 'invalid_argument'],
      [{ surprise: {} }, 'invalid_argument'],
      [[], 'invalid_argument'],
    ]
    for (const [body, code] of cases) {
      const response = await call(t.url, 'POST', '/widget/context', visitor.token, body)
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400)
      expect((await json<ErrorBody>(response)).error.code).toBe(code)
    }
    const proto = await fetch(`${t.url}/api/v1/widget/context`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}`, 'content-type': 'application/json' },
      body: '{"visitor":{"__proto__":{"polluted":true}}}',
    })
    expect(proto.status).toBe(400)
    // Fastify's JSON parser refuses a __proto__ key before the route sees it (decodeContext
    // would too: packages/events/src/context.test.ts).
    expect((await json<ErrorBody>(proto)).error.code).toBe('bad_request')
    const start = await call(t.url, 'POST', '/widget/conversations', visitor.token, {
      trigger: 'not an object',
    })
    expect((await json<ErrorBody>(start)).error.code).toBe('invalid_argument')
    const after = await contextOf(t, visitor.token)
    expect([after.visitor, after.page, after.events]).toEqual([{}, {}, {}])
    expect((await call(t.url, 'POST', '/widget/context', undefined, {})).status).toBe(401)
  })

  test('context updates are rate limited per visitor', async () => {
    t = await startTestServer()
    const visitor = await anonymous(t.url)
    const statuses: number[] = []
    for (let i = 0; i < 121; i++) {
      statuses.push(
        (await call(t.url, 'POST', '/widget/context', visitor.token, { page: { i } })).status,
      )
    }
    expect(statuses.slice(0, 120).every((s) => s === 200)).toBe(true)
    expect(statuses[120]).toBe(429)
  })

  test("a visitor can never read or change another visitor's context", async () => {
    t = await withIdentity()
    const a = await anonymous(t.url)
    const b = await anonymous(t.url)
    await call(t.url, 'POST', '/widget/context', a.token, { visitor: { secret_note: 'for A' } })
    expect((await contextOf(t, b.token)).visitor).toEqual({})
    expect((await contextOf(t, a.token)).visitor.secret_note?.value).toBe('for A')
    // Context is for agents: no widget endpoint reads it back, whoever asks.
    expect((await call(t.url, 'GET', '/widget/context', a.token)).status).toBe(404)
    // Agent endpoints do not take visitor tokens.
    for (const [method, path] of [
      ['GET', `/visitors/${a.visitorId}/context`],
      ['PUT', `/visitors/${a.visitorId}/context`],
    ] as const) {
      const response = await call(t.url, method, path, b.token, method === 'PUT' ? {} : undefined)
      expect(response.status).toBe(401)
    }
  })

  test('the server API sets verified values that host updates cannot override', async () => {
    t = await withIdentity()
    const visitor = await newVisitor(t.url)
    const { cookie, csrfToken } = await signIn(t.url)
    const put = (body: unknown, headers: Record<string, string>) =>
      fetch(`${t?.url}/api/v1/visitors/${visitor.visitorId}/context`, {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
    expect((await put({ visitor: { loyalty: 'platinum' } }, {})).status).toBe(403)
    const set = await put({ visitor: { loyalty: 'platinum' } }, { 'x-causette-csrf': csrfToken })
    expect(set.status).toBe(200)
    expect((await json<{ context: ContextView }>(set)).context.visitor.loyalty).toMatchObject({
      value: 'platinum',
      trust: 'verified',
    })
    const host = await json<{ rejected: unknown[] }>(
      await call(t.url, 'POST', '/widget/context', visitor.token, { visitor: { loyalty: 'none' } }),
    )
    expect(host.rejected).toEqual([{ scope: 'visitor', key: 'loyalty', reason: 'weaker_trust' }])
    const read = await json<{ context: ContextView; openConversationId: string | null }>(
      await fetch(`${t.url}/api/v1/visitors/${visitor.visitorId}/context`, { headers: { cookie } }),
    )
    expect(read.context.visitor.loyalty?.value).toBe('platinum')
    expect(read.openConversationId).toBe(visitor.conversationId)
    const conv = await json<{ context: ContextView }>(
      await fetch(`${t.url}/api/v1/conversations/${visitor.conversationId}`, {
        headers: { cookie },
      }),
    )
    expect(conv.context.visitor.loyalty?.trust).toBe('verified')
    const invalid = await put({ visitor: { 'no good': 1 } }, { 'x-causette-csrf': csrfToken })
    expect((await json<ErrorBody>(invalid)).error.code).toBe('invalid_argument')
    const missing = await fetch(`${t.url}/api/v1/visitors/nobody/context`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json', 'x-causette-csrf': csrfToken },
      body: '{}',
    })
    expect(missing.status).toBe(404)
  })

  test('a bad identity key fails the start, without quoting the secret', async () => {
    await expect(
      createServer({
        logger: false,
        databasePath: ':memory:',
        staticDirs: { store: false, widget: false, console: false },
        sites: [
          {
            id: 'demo',
            name: 'Demo',
            origins: [],
            identity: { keys: [{ kid: 'k', alg: 'HS256', secret: 'too-short-secret' }] },
          },
        ],
      }),
    ).rejects.toThrow(/at least 32 bytes/)
  })
})
