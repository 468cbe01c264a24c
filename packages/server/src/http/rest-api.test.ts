import { afterEach, describe, expect, test } from 'vitest'
import {
  agentCredentials,
  agentTransport,
  json,
  newVisitor,
  signIn,
  startTestServer,
  type TestServer,
  until,
} from '../test-support.js'

type ErrorBody = { error: { code: string; message: string } }

describe('REST API', () => {
  let t: TestServer | undefined
  afterEach(async () => {
    await t?.stop()
    t = undefined
  })

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })

  test('GET /healthz answers', async () => {
    t = await startTestServer()
    expect(await json(await fetch(`${t.url}/healthz`))).toEqual({ ok: true })
  })

  test('sign-in: right password sets an HttpOnly SameSite cookie; wrong one is a typed 401', async () => {
    t = await startTestServer()
    const ok = await post(`${t.url}/api/v1/agent/session`, agentCredentials)
    expect(ok.status).toBe(200)
    const cookie = ok.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^causette_session=[\w-]{43};/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    const body = await json<Record<string, unknown>>(ok)
    expect(body.agent).toEqual({
      id: expect.any(String),
      email: agentCredentials.email,
      name: 'ada',
      role: 'admin',
    })
    expect(JSON.stringify(body)).not.toContain('scrypt')

    const wrong = await post(`${t.url}/api/v1/agent/session`, {
      ...agentCredentials,
      password: 'nope',
    })
    expect(wrong.status).toBe(401)
    expect(await json<ErrorBody>(wrong)).toEqual({
      error: { code: 'unauthorized', message: 'wrong email or password' },
    })
    const unknown = await post(`${t.url}/api/v1/agent/session`, {
      email: 'who@x.test',
      password: 'nope',
    })
    expect(await json<ErrorBody>(unknown)).toEqual({
      error: { code: 'unauthorized', message: 'wrong email or password' },
    })
  })

  test('sign-in is rate limited: the 11th attempt in 15 minutes from one address gets 429 with Retry-After', async () => {
    t = await startTestServer()
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await post(`${t.url}/api/v1/agent/session`, { ...agentCredentials, password: `bad-${i}` }))
          .status,
      )
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    const limited = await post(`${t.url}/api/v1/agent/session`, agentCredentials)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await json<ErrorBody>(limited)).error.code).toBe('rate_limited')
  })

  test('one address flooding sign-in cannot lock out an agent signing in from elsewhere', async () => {
    t = await startTestServer({ trustProxy: true })
    const from = (ip: string) => ({ 'x-forwarded-for': ip })
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      const r = await post(
        `${t.url}/api/v1/agent/session`,
        { email: `nobody${i}@x.test`, password: 'x' },
        from('203.0.113.7'),
      )
      statuses.push(r.status)
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(statuses[10]).toBe(429)
    const agent = await post(
      `${t.url}/api/v1/agent/session`,
      agentCredentials,
      from('198.51.100.1'),
    )
    expect(agent.status).toBe(200)
  })

  test('failures against one email from many addresses lock that email, not the others', async () => {
    t = await startTestServer({ trustProxy: true })
    for (let i = 0; i < 10; i++) {
      const r = await post(
        `${t.url}/api/v1/agent/session`,
        { ...agentCredentials, password: 'wrong' },
        { 'x-forwarded-for': `203.0.113.${i}` },
      )
      expect(r.status).toBe(401)
    }
    const locked = await post(`${t.url}/api/v1/agent/session`, agentCredentials, {
      'x-forwarded-for': '198.51.100.1',
    })
    expect(locked.status).toBe(429)
    const other = await post(
      `${t.url}/api/v1/agent/session`,
      { email: 'other@x.test', password: 'x' },
      { 'x-forwarded-for': '198.51.100.1' },
    )
    expect(other.status).toBe(401)
  })

  test('signing out needs the CSRF token; then the session is gone', async () => {
    t = await startTestServer()
    const { cookie, csrfToken } = await signIn(t.url)
    const without = await fetch(`${t.url}/api/v1/agent/session`, {
      method: 'DELETE',
      headers: { cookie },
    })
    expect(without.status).toBe(403)
    const crossOrigin = await fetch(`${t.url}/api/v1/agent/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-causette-csrf': csrfToken, origin: 'https://evil.example' },
    })
    expect(crossOrigin.status).toBe(403)
    const out = await fetch(`${t.url}/api/v1/agent/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-causette-csrf': csrfToken },
    })
    expect(out.status).toBe(204)
    expect((await fetch(`${t.url}/api/v1/agent/session`, { headers: { cookie } })).status).toBe(401)
  })

  test('online agents: only signed-in agents may ask; an agent with a live connection is listed', async () => {
    t = await startTestServer()
    expect((await fetch(`${t.url}/api/v1/agents/online`)).status).toBe(401)
    const { cookie } = await signIn(t.url)
    const list = async () =>
      (
        await json<{ agents: Array<{ name: string }> }>(
          await fetch(`${t?.url}/api/v1/agents/online`, { headers: { cookie } }),
        )
      ).agents.map((a) => a.name)
    expect(await list()).toEqual([])
    const agent = agentTransport(t.url, cookie)
    await until(() => agent.state().status === 'open', 5_000, 'agent connection')
    expect(await list()).toEqual(['ada'])
    agent.close()
    await until(() => t?.server.chat.transport.stats().connections === 0, 5_000, 'disconnect seen')
    expect(await list()).toEqual([])
  })

  test('widget availability: agents online for an allowed origin, typed errors otherwise, rate limited', async () => {
    t = await startTestServer({ limits: { availabilityPerIpPerMinute: 8 } })
    const url = `${t.url}/api/v1/widget/sites/demo/availability`
    const online = async () => (await json<{ agentsOnline: number }>(await fetch(url))).agentsOnline
    expect(await online()).toBe(0)
    const { cookie } = await signIn(t.url)
    const agent = agentTransport(t.url, cookie)
    await until(() => agent.state().status === 'open', 5_000, 'agent connection')
    // Cached for up to 2 s: one presence query per burst of page views.
    const start = Date.now()
    while ((await online()) !== 1) {
      if (Date.now() - start > 4_000) throw new Error('agent not counted')
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    agent.close()
    const unknown = await fetch(`${t.url}/api/v1/widget/sites/nope/availability`)
    expect(unknown.status).toBe(404)
    const foreign = await fetch(url, { headers: { origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    let status = 200
    for (let i = 0; i < 10 && status === 200; i++) status = (await fetch(url)).status
    expect(status).toBe(429)
    expect(((await json<ErrorBody>(await fetch(url))) as ErrorBody).error.code).toBe('rate_limited')
  })

  test('conversations list needs a signed-in agent and shows the last message', async () => {
    t = await startTestServer()
    expect((await fetch(`${t.url}/api/v1/conversations`)).status).toBe(401)
    const visitor = await newVisitor(t.url)
    const { cookie } = await signIn(t.url)
    const { conversations } = await json<{ conversations: Array<{ id: string; status: string }> }>(
      await fetch(`${t.url}/api/v1/conversations?status=open`, { headers: { cookie } }),
    )
    expect(conversations.map((c) => c.id)).toEqual([visitor.conversationId])
    const bad = await fetch(`${t.url}/api/v1/conversations?status=weird`, { headers: { cookie } })
    expect(bad.status).toBe(400)
  })

  test('visitors: one open conversation, tokens checked, creation rate limited per IP', async () => {
    t = await startTestServer({ limits: { visitorsPerIpPerMinute: 3 } })
    const visitor = await newVisitor(t.url)
    const again = await post(
      `${t.url}/api/v1/widget/conversations`,
      {},
      { authorization: `Bearer ${visitor.token}` },
    )
    expect((await json<{ conversation: { id: string } }>(again)).conversation.id).toBe(
      visitor.conversationId,
    )
    const noToken = await fetch(`${t.url}/api/v1/widget/conversation`)
    expect(noToken.status).toBe(401)
    const badToken = await fetch(`${t.url}/api/v1/widget/conversation`, {
      headers: { authorization: 'Bearer x' },
    })
    expect(badToken.status).toBe(401)
    const statuses = []
    for (let i = 0; i < 3; i++)
      statuses.push((await post(`${t.url}/api/v1/widget/visitors`, { siteId: 'demo' })).status)
    expect(statuses).toEqual([201, 201, 429])
  })

  test('widget endpoints: unknown site 404, foreign origin 403, allowed origin gets CORS headers', async () => {
    t = await startTestServer({
      sites: [{ id: 'demo', name: 'Demo', origins: ['https://shop.example'] }],
    })
    expect((await post(`${t.url}/api/v1/widget/visitors`, { siteId: 'nope' })).status).toBe(404)
    expect((await post(`${t.url}/api/v1/widget/visitors`, {})).status).toBe(400)
    const evil = await post(
      `${t.url}/api/v1/widget/visitors`,
      { siteId: 'demo' },
      { origin: 'https://evil.example' },
    )
    expect(evil.status).toBe(403)
    const shop = await post(
      `${t.url}/api/v1/widget/visitors`,
      { siteId: 'demo' },
      { origin: 'https://shop.example' },
    )
    expect(shop.status).toBe(201)
    expect(shop.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    const preflight = await fetch(`${t.url}/api/v1/widget/conversations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization')
  })

  test('malformed and oversized bodies get typed 400 and 413 errors', async () => {
    t = await startTestServer()
    const malformed = await fetch(`${t.url}/api/v1/widget/visitors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    })
    expect(malformed.status).toBe(400)
    expect((await json<ErrorBody>(malformed)).error.code).toBe('bad_request')
    const huge = await post(`${t.url}/api/v1/widget/visitors`, { siteId: 'x'.repeat(100 * 1024) })
    expect(huge.status).toBe(413)
    expect((await json<ErrorBody>(huge)).error.code).toBe('payload_too_large')
    const missing = await fetch(`${t.url}/api/v1/nothing-here`)
    expect(missing.status).toBe(404)
    expect((await json<ErrorBody>(missing)).error.code).toBe('not_found')
  })
})
