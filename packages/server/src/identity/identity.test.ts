import { generateKeyPairSync } from 'node:crypto'
import { base64url, SignJWT } from 'jose'
import { describe, expect, test } from 'vitest'
import { createIdentityVerifier } from './create-identity-verifier.js'
import { identityLimits, parseIdentityConfig, type SiteIdentityConfig } from './identity-config.js'
import { mintIdentityToken } from './mint-identity-token.js'

const secret = 'a-very-long-test-secret-of-more-than-32-bytes'
const otherSecret = 'another-very-long-secret-of-more-than-32-bytes'
const es = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const esPublicPem = es.publicKey.export({ type: 'spki', format: 'pem' }).toString()
const esPrivatePem = es.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const esPublicJwk = es.publicKey.export({ format: 'jwk' })

const t0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const clock =
  (ms = t0) =>
  () =>
    ms
const hsKey = { kid: 'hs-1', alg: 'HS256', secret } as const
const esKey = { kid: 'es-1', alg: 'ES256', publicKey: esPublicPem } as const

const verifier = (config: Partial<SiteIdentityConfig> = {}, now = t0) =>
  createIdentityVerifier({ keys: [hsKey, esKey], ...config }, { now: clock(now) })

/** A token signed with anything, for the cases the helper refuses to produce. */
async function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: Uint8Array | CryptoKey | import('node:crypto').KeyObject,
) {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key)
}

const iat = Math.floor(t0 / 1000)
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'cust-42',
  iat,
  exp: iat + 600,
  ...extra,
})
const hmac = (s = secret) => new TextEncoder().encode(s)

describe('identity tokens', () => {
  test('a token minted by the helper verifies, with its claims as verified facts (HS256)', async () => {
    const token = await mintIdentityToken({
      key: hsKey,
      sub: 'cust-42',
      claims: { email: 'ada@shop.example', name: 'Ada', attributes: { plan: 'gold', orders: 3 } },
      now: clock(),
    })
    const result = await verifier().verify(token)
    expect(result).toEqual({
      ok: true,
      identity: {
        sub: 'cust-42',
        verified: { email: 'ada@shop.example', name: 'Ada', plan: 'gold', orders: 3 },
        expiresAt: (iat + identityLimits.defaultExpiresInS) * 1000,
        kid: 'hs-1',
      },
    })
  })

  test('ES256 with a PEM private key, a JWK, or a KeyObject; the server key as PEM or JWK', async () => {
    for (const privateKey of [
      esPrivatePem,
      es.privateKey.export({ format: 'jwk' }),
      es.privateKey,
    ]) {
      const token = await mintIdentityToken({
        key: { kid: 'es-1', alg: 'ES256', privateKey },
        sub: 'cust-7',
        now: clock(),
      })
      expect((await verifier().verify(token)).ok).toBe(true)
      const jwkVerifier = createIdentityVerifier(
        { keys: [{ kid: 'es-1', alg: 'ES256', publicKey: esPublicJwk }] },
        { now: clock() },
      )
      expect(await jwkVerifier.verify(token)).toMatchObject({
        ok: true,
        identity: { sub: 'cust-7' },
      })
    }
  })

  test('expired: refused after exp plus the 30 s tolerance, accepted within it', async () => {
    const token = await mintIdentityToken({ key: hsKey, sub: 's', expiresInS: 60, now: clock() })
    expect((await verifier({}, t0 + 60_000 + 29_000).verify(token)).ok).toBe(true)
    expect(await verifier({}, t0 + 60_000 + 31_000).verify(token)).toEqual({
      ok: false,
      error: { code: 'identity_expired', message: 'the token has expired (exp)' },
    })
  })

  test('wrong key: a token signed with another secret is a bad signature', async () => {
    const token = await forge({ alg: 'HS256', kid: 'hs-1' }, claims(), hmac(otherSecret))
    expect(await verifier().verify(token)).toMatchObject({
      ok: false,
      error: { code: 'identity_bad_signature' },
    })
    const otherEs = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const esWrong = await forge({ alg: 'ES256', kid: 'es-1' }, claims(), otherEs)
    expect(await verifier().verify(esWrong)).toMatchObject({
      ok: false,
      error: { code: 'identity_bad_signature' },
    })
    const tampered = await mintIdentityToken({ key: hsKey, sub: 'cust-1', now: clock() })
    const [h, , s] = tampered.split('.')
    const payload = base64url.encode(JSON.stringify(claims({ sub: 'cust-2' })))
    expect(await verifier().verify(`${h}.${payload}.${s}`)).toMatchObject({
      ok: false,
      error: { code: 'identity_bad_signature' },
    })
  })

  test('alg none is refused, with or without a signature', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', kid: 'hs-1' }))
    const payload = base64url.encode(JSON.stringify(claims()))
    for (const token of [`${header}.${payload}.`, `${header}.${payload}.c2ln`]) {
      expect(await verifier().verify(token)).toMatchObject({
        ok: false,
        error: { code: 'identity_bad_algorithm' },
      })
    }
  })

  test('HS/ES confusion: HS256 signed with the ES256 public key as secret is refused', async () => {
    for (const publicKey of [esPublicPem, JSON.stringify(esPublicJwk)]) {
      // With the ES key's kid, and without a kid on a site whose only key is the ES256 one.
      const named = await forge({ alg: 'HS256', kid: 'es-1' }, claims(), hmac(publicKey))
      expect(await verifier().verify(named)).toMatchObject({
        ok: false,
        error: {
          code: 'identity_bad_algorithm',
          message: 'key es-1 is ES256, the token says HS256',
        },
      })
      const anonymous = await forge({ alg: 'HS256' }, claims(), hmac(publicKey))
      const esOnly = createIdentityVerifier({ keys: [esKey] }, { now: clock() })
      expect(await esOnly.verify(anonymous)).toMatchObject({
        ok: false,
        error: { code: 'identity_bad_algorithm' },
      })
    }
    // And the other way: an ES256 token under the HS key's kid.
    const esToken = await forge({ alg: 'ES256', kid: 'hs-1' }, claims(), es.privateKey)
    expect(await verifier().verify(esToken)).toMatchObject({
      ok: false,
      error: { code: 'identity_bad_algorithm' },
    })
  })

  test.each(['RS256', 'HS512', 'ES384', 'EdDSA'])('alg %s is refused', async (alg) => {
    const header = base64url.encode(JSON.stringify({ alg, kid: 'hs-1' }))
    const payload = base64url.encode(JSON.stringify(claims()))
    expect(await verifier().verify(`${header}.${payload}.c2ln`)).toMatchObject({
      ok: false,
      error: { code: 'identity_bad_algorithm' },
    })
  })

  test('missing, empty or overlong sub', async () => {
    for (const sub of [undefined, '', 'x'.repeat(256), 42]) {
      const token = await forge({ alg: 'HS256', kid: 'hs-1' }, claims({ sub }), hmac())
      expect(await verifier().verify(token), String(sub)).toMatchObject({
        ok: false,
        error: { code: 'identity_missing_sub' },
      })
    }
    await expect(mintIdentityToken({ key: hsKey, sub: '' })).rejects.toThrow(RangeError)
  })

  test('unknown kid; no kid with several keys; no kid with one key is fine', async () => {
    const unknown = await forge({ alg: 'HS256', kid: 'gone' }, claims(), hmac())
    expect(await verifier().verify(unknown)).toEqual({
      ok: false,
      error: { code: 'identity_unknown_key', message: 'no key with kid "gone"' },
    })
    const noKid = await forge({ alg: 'HS256' }, claims(), hmac())
    expect(await verifier().verify(noKid)).toMatchObject({
      ok: false,
      error: { code: 'identity_unknown_key' },
    })
    const single = createIdentityVerifier({ keys: [hsKey] }, { now: clock() })
    expect((await single.verify(noKid)).ok).toBe(true)
  })

  test('rotation: the old and the new kid are both valid until the old one is removed', async () => {
    const oldKey = { kid: '2025-12', alg: 'HS256', secret } as const
    const newKey = { kid: '2026-01', alg: 'HS256', secret: otherSecret } as const
    const during = createIdentityVerifier({ keys: [oldKey, newKey] }, { now: clock() })
    const after = createIdentityVerifier({ keys: [newKey] }, { now: clock() })
    const oldToken = await mintIdentityToken({ key: oldKey, sub: 'c', now: clock() })
    const newToken = await mintIdentityToken({ key: newKey, sub: 'c', now: clock() })
    expect((await during.verify(oldToken)).ok).toBe(true)
    expect((await during.verify(newToken)).ok).toBe(true)
    expect((await after.verify(newToken)).ok).toBe(true)
    expect(await after.verify(oldToken)).toMatchObject({
      ok: false,
      error: { code: 'identity_unknown_key' },
    })
  })

  test('lifetime over 24 hours is refused; so is an iat or nbf in the future', async () => {
    const long = await forge(
      { alg: 'HS256', kid: 'hs-1' },
      claims({ exp: iat + 24 * 3600 + 1 }),
      hmac(),
    )
    expect(await verifier().verify(long)).toMatchObject({
      ok: false,
      error: { code: 'identity_lifetime_too_long' },
    })
    const noIat = await forge(
      { alg: 'HS256', kid: 'hs-1' },
      { sub: 's', exp: iat + 25 * 3600 },
      hmac(),
    )
    // Without iat the lifetime could not be bounded: refused (mintIdentityToken always sets it).
    expect(await verifier().verify(noIat)).toMatchObject({
      ok: false,
      error: { code: 'identity_malformed', message: 'claim iat: required' },
    })
    const exactlyADay = await forge(
      { alg: 'HS256', kid: 'hs-1' },
      claims({ exp: iat + 24 * 3600 }),
      hmac(),
    )
    expect((await verifier().verify(exactlyADay)).ok).toBe(true)
    const future = await forge({ alg: 'HS256', kid: 'hs-1' }, claims({ iat: iat + 120 }), hmac())
    expect(await verifier().verify(future)).toMatchObject({
      ok: false,
      error: { code: 'identity_not_yet_valid' },
    })
    const nbf = await forge({ alg: 'HS256', kid: 'hs-1' }, claims({ nbf: iat + 120 }), hmac())
    expect(await verifier().verify(nbf)).toMatchObject({
      ok: false,
      error: { code: 'identity_not_yet_valid' },
    })
    await expect(
      mintIdentityToken({ key: hsKey, sub: 's', expiresInS: 24 * 3600 + 1 }),
    ).rejects.toThrow(/expiresInS/)
  })

  test('exp is required; malformed tokens and claims are typed errors', async () => {
    const noExp = await forge({ alg: 'HS256', kid: 'hs-1' }, { sub: 's', iat }, hmac())
    expect(await verifier().verify(noExp)).toMatchObject({
      ok: false,
      error: { code: 'identity_malformed', message: 'claim exp: required' },
    })
    const stringExp = await forge({ alg: 'HS256', kid: 'hs-1' }, claims({ exp: 'later' }), hmac())
    expect(await verifier().verify(stringExp)).toMatchObject({
      ok: false,
      error: { code: 'identity_malformed' },
    })
    for (const junk of ['', 'abc', 'a.b.c', 'x'.repeat(identityLimits.tokenMaxChars + 1)]) {
      expect(await verifier().verify(junk)).toMatchObject({
        ok: false,
        error: { code: 'identity_malformed' },
      })
    }
    const badAttributes = await forge(
      { alg: 'HS256', kid: 'hs-1' },
      claims({ attributes: { constructor: 'x' } }),
      hmac(),
    )
    expect(await verifier().verify(badAttributes)).toMatchObject({
      ok: false,
      error: { code: 'identity_malformed', message: expect.stringContaining('attributes claim') },
    })
    const nested = await forge(
      { alg: 'HS256', kid: 'hs-1' },
      claims({ attributes: { a: { b: 1 } } }),
      hmac(),
    )
    expect((await verifier().verify(nested)).ok).toBe(false)
    await expect(
      mintIdentityToken({ key: hsKey, sub: 's', claims: { attributes: { 'bad key': 1 } } }),
    ).rejects.toThrow(TypeError)
  })

  test('issuer and audience are checked when configured', async () => {
    const strict = verifier({ issuer: 'https://shop.example', audience: 'causette' })
    const good = await mintIdentityToken({
      key: hsKey,
      sub: 's',
      issuer: 'https://shop.example',
      audience: 'causette',
      now: clock(),
    })
    expect((await strict.verify(good)).ok).toBe(true)
    const wrongIss = await mintIdentityToken({
      key: hsKey,
      sub: 's',
      issuer: 'https://evil.example',
      audience: 'causette',
      now: clock(),
    })
    expect(await strict.verify(wrongIss)).toMatchObject({
      ok: false,
      error: { code: 'identity_claim_mismatch' },
    })
    const noAud = await mintIdentityToken({
      key: hsKey,
      sub: 's',
      issuer: 'https://shop.example',
      now: clock(),
    })
    expect(await strict.verify(noAud)).toMatchObject({
      ok: false,
      error: { code: 'identity_claim_mismatch' },
    })
  })
})

describe('identity configuration', () => {
  test('refuses short secrets, private or foreign keys, duplicate kids, other algorithms', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ keys: [] }, /at least one key/],
      [{ keys: [{ kid: 'a', alg: 'HS256', secret: 'short' }] }, /at least 32 bytes/],
      [{ keys: [{ kid: 'a', alg: 'ES256', publicKey: esPrivatePem }] }, /is a private key/],
      [
        { keys: [{ kid: 'a', alg: 'ES256', publicKey: es.privateKey.export({ format: 'jwk' }) }] },
        /is a private key/,
      ],
      [
        {
          keys: [
            {
              kid: 'a',
              alg: 'ES256',
              publicKey: generateKeyPairSync('ec', { namedCurve: 'P-384' })
                .publicKey.export({ type: 'spki', format: 'pem' })
                .toString(),
            },
          ],
        },
        /P-256/,
      ],
      [{ keys: [{ kid: 'a', alg: 'ES256', publicKey: 'nope' }] }, /not a valid public key/],
      [{ keys: [hsKey, hsKey] }, /used twice/],
      [{ keys: [{ kid: 'a', alg: 'none', secret }] }, /HS256 or ES256/],
      [{ keys: [{ kid: '', alg: 'HS256', secret }] }, /kid/],
      [{ keys: [hsKey], issuer: '' }, /issuer/],
    ]
    for (const [config, message] of bad) {
      expect(() => createIdentityVerifier(config as SiteIdentityConfig), String(message)).toThrow(
        message,
      )
    }
  })

  test('reads the environment variable as a list or an object, never quoting a secret', () => {
    expect(parseIdentityConfig(JSON.stringify([hsKey])).keys).toEqual([hsKey])
    expect(
      parseIdentityConfig(JSON.stringify({ keys: [esKey], issuer: 'https://shop.example' })),
    ).toEqual({ keys: [esKey], issuer: 'https://shop.example' })
    const leaky = 'short-but-secret'
    let message = ''
    try {
      parseIdentityConfig(JSON.stringify([{ kid: 'k', alg: 'HS256', secret: leaky }]))
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/CAUSETTE_IDENTITY_KEYS\.keys\[0\]/)
    expect(message).not.toContain(leaky)
    expect(() => parseIdentityConfig(`{${secret}`)).toThrow(/not valid JSON/)
    try {
      parseIdentityConfig(`{${secret}`)
    } catch (error) {
      expect((error as Error).message).not.toContain(secret)
    }
  })
})
