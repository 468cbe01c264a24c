import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import type { CausetteError } from './causette-error.js'
import { createApiCall, createVisitorApi } from './chat/visitor-api.js'
import { createMemoryStorage, storageKeys } from './create-device-storage.js'
import { createIdentity, identityDefaults } from './create-identity.js'
import { createSession } from './create-session.js'
import { createFakeClock, settle, startContractServer } from './test-support.js'

const jwt = (n: number) => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEiLCJuIjo${n}fQ.sig${n}`

let server: Awaited<ReturnType<typeof startContractServer>>
beforeAll(async () => {
  server = await startContractServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.requests.length = 0
  server.handlers.identify = (body) => ({
    status: 200,
    json: {
      visitorId: 'v1',
      verified: { email: 'ada@shop.test', plan: 'gold' },
      // Seconds, as the JWT's exp: five minutes from the fake clock's now.
      expiresAt: Math.floor(clockNow() / 1000) + 300,
      echo: body,
    },
  })
})

let clockNow = () => Date.now()

function setup(blocked: () => 'init' | 'consent' | undefined = () => undefined) {
  const clock = createFakeClock()
  clockNow = clock.now
  const api = createVisitorApi(createApiCall(server.url), 'demo')
  const session = createSession({
    api,
    storage: createMemoryStorage(),
    keys: storageKeys('demo', server.url),
  })
  const errors: CausetteError[] = []
  const onSwitched = vi.fn()
  const identity = createIdentity({
    session,
    api,
    timers: clock.timers,
    now: clock.now,
    blocked,
    onError: (error) => errors.push(error),
    onSwitched,
  })
  return { clock, session, identity, errors, onSwitched }
}

const identifyCalls = () =>
  server.requests
    .filter((r) => r.path === '/identify')
    .map((r) => (r.body as { token: string }).token)

describe('identify', () => {
  test('verifies a JWT through the visitor it creates, and resolves with the verified claims', async () => {
    const { identity, session } = setup()
    await expect(identity.identify(jwt(1))).resolves.toEqual({
      status: 'verified',
      visitorId: 'v1',
      verified: { email: 'ada@shop.test', plan: 'gold' },
      expiresAt: expect.any(Number),
    })
    const [visitor, identify] = server.requests
    expect(visitor).toMatchObject({ method: 'POST', path: '/visitors' })
    expect(identify).toMatchObject({ path: '/identify', token: session.visitor()?.token })
    expect(identifyCalls()).toEqual([jwt(1)])
  })

  test('asks a token provider again shortly before the identity expires, and again after that', async () => {
    const { identity, clock } = setup()
    let n = 0
    const provider = vi.fn(async () => jwt(++n))
    await identity.identify(provider)
    expect(provider).toHaveBeenCalledTimes(1)
    // Five minutes of life, refreshed one minute before the end.
    clock.advance(300_000 - identityDefaults.refreshMarginMs - 1)
    await settle()
    expect(provider).toHaveBeenCalledTimes(1)
    clock.advance(1)
    // Real HTTP: wait for the request rather than a fixed time (the machine may be busy).
    await vi.waitFor(() => expect(identifyCalls()).toEqual([jwt(1), jwt(2)]))
    expect(provider).toHaveBeenCalledTimes(2)
    // The next refresh is scheduled once the answer is in.
    await vi.waitFor(() => expect(clock.pending()).toBe(1))
    clock.advance(240_000)
    await vi.waitFor(() => expect(identifyCalls()).toEqual([jwt(1), jwt(2), jwt(3)]))
  })

  test("refreshes by the token's own lifetime, whatever the device clock says; failures back off", async () => {
    const { identity, clock, errors } = setup()
    // The shop's clock says 10 minutes of life; the device is an hour ahead of the server, so
    // `expiresAt - now()` is already negative on the device.
    const iat = Math.floor(clock.now() / 1000) - 3600
    const signed = (n: number) =>
      `eyJhbGciOiJIUzI1NiJ9.${btoa(JSON.stringify({ sub: 'u-1', n, iat, exp: iat + 600 }))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '')}.sig`
    server.handlers.identify = () => ({
      status: 200,
      json: { visitorId: 'v1', verified: {}, expiresAt: iat + 600 },
    })
    let n = 0
    const provider = vi.fn(async () => signed(++n))
    await identity.identify(provider)
    clock.advance(30_000)
    await settle()
    expect(provider).toHaveBeenCalledTimes(1) // not once a second
    clock.advance(600_000 - identityDefaults.refreshMarginMs - 30_000)
    await vi.waitFor(() => expect(provider).toHaveBeenCalledTimes(2))
    await vi.waitFor(() => expect(clock.pending()).toBe(1))
    // The server refuses the next refresh: tried again after 30 s, then 60 s, not never.
    server.handlers.identify = () => ({
      status: 503,
      json: { error: { code: 'unavailable', message: 'down' } },
    })
    clock.advance(600_000)
    await vi.waitFor(() => expect(provider).toHaveBeenCalledTimes(3))
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0))
    await vi.waitFor(() => expect(clock.pending()).toBe(1))
    clock.advance(30_000)
    await vi.waitFor(() => expect(provider).toHaveBeenCalledTimes(4))
  })

  test('an expired token from a provider: the provider is asked once more', async () => {
    const { identity } = setup()
    let expired = 1
    const ok = server.handlers.identify
    server.handlers.identify = (body, visitorId) =>
      expired-- > 0
        ? { status: 401, json: { error: { code: 'identity_expired', message: 'exp passed' } } }
        : ok(body, visitorId)
    let n = 0
    const provider = vi.fn(() => jwt(++n))
    await expect(identity.identify(provider)).resolves.toMatchObject({ status: 'verified' })
    expect(identifyCalls()).toEqual([jwt(1), jwt(2)])

    // Twice in a row is a typed error; and a plain token is never retried.
    expired = 2
    await expect(identity.identify(provider)).rejects.toMatchObject({
      code: 'identity_expired',
      retryable: true,
    })
    expired = 1
    await expect(identity.identify(jwt(9))).rejects.toMatchObject({ code: 'identity_expired' })
  })

  test('server refusals keep their identity_* code', async () => {
    const { identity } = setup()
    for (const code of ['identity_bad_signature', 'identity_missing_sub', 'identity_unknown_key']) {
      server.handlers.identify = () => ({ status: 401, json: { error: { code, message: code } } })
      await expect(identity.identify(jwt(1))).rejects.toMatchObject({
        name: 'CausetteError',
        code,
        retryable: false,
      })
    }
  })

  test('a provider that throws, returns no JWT, or never answers fails as identity_provider_failed', async () => {
    const { identity, clock } = setup()
    await expect(
      identity.identify(() => {
        throw new Error('backend down')
      }),
    ).rejects.toMatchObject({
      code: 'identity_provider_failed',
      message: 'the token provider failed: backend down',
    })
    await expect(identity.identify(async () => 'not a jwt')).rejects.toMatchObject({
      code: 'identity_provider_failed',
      message: 'token provider result: expected a JWT (header.payload.signature)',
    })
    const hanging = identity.identify(() => new Promise<string>(() => undefined))
    clock.advance(identityDefaults.providerTimeoutMs)
    await expect(hanging).rejects.toMatchObject({ code: 'identity_provider_failed' })
    expect(identifyCalls()).toEqual([])
  })

  test('the server moving the device to the known visitor: the widget adopts its token', async () => {
    const { identity, session, onSwitched } = setup()
    server.knowVisitor('v7', 'token-v7')
    server.handlers.identify = () => ({
      status: 200,
      json: { visitorId: 'v7', token: 'token-v7', verified: {}, expiresAt: 2e9 },
    })
    await identity.identify(jwt(1))
    expect(session.visitor()).toEqual({ visitorId: 'v7', token: 'token-v7' })
    expect(onSwitched).toHaveBeenCalledTimes(1)
  })

  test('a visitor the server forgot is replaced, once, and identified', async () => {
    const { identity, session } = setup()
    await identity.identify(jwt(1))
    const first = session.visitor()?.token
    server.forgetVisitors()
    await expect(identity.identify(jwt(2))).resolves.toMatchObject({ status: 'verified' })
    expect(session.visitor()?.token).not.toBe(first)
  })

  test('deferred while the widget may not connect; verified when it may; failures go to onError', async () => {
    let blocked: 'consent' | undefined = 'consent'
    const { identity, errors } = setup(() => blocked)
    await expect(identity.identify(jwt(1))).resolves.toEqual({
      status: 'deferred',
      until: 'consent',
    })
    expect(server.requests).toEqual([])
    blocked = undefined
    server.handlers.identify = () => ({
      status: 401,
      json: { error: { code: 'identity_bad_signature', message: 'bad signature' } },
    })
    identity.resume()
    await settle(50)
    expect(identifyCalls()).toEqual([jwt(1)])
    expect(errors.map((e) => e.code)).toEqual(['identity_bad_signature'])
  })

  test('clear() cancels what is in flight and stops refreshing', async () => {
    const { identity, clock } = setup()
    const provider = vi.fn(async () => jwt(1))
    await identity.identify(provider)
    const inFlight = identity.identify(provider)
    identity.clear()
    await expect(inFlight).rejects.toMatchObject({ code: 'cancelled' })
    clock.advance(3_600_000)
    await settle()
    expect(provider).toHaveBeenCalledTimes(2)
  })
})
