// mint-example:start
import { mintIdentityToken } from '@causette/server/identity'

export async function causetteToken(customer: { id: string; email: string; name: string }) {
  return mintIdentityToken({
    key: { kid: '2026-01', alg: 'HS256', secret: process.env.CAUSETTE_IDENTITY_SECRET ?? '' },
    sub: customer.id,
    claims: { email: customer.email, name: customer.name, attributes: { plan: 'gold' } },
    expiresInS: 600,
  })
}

// mint-example:end

// server-example:start
import { createServer } from '@causette/server'

export function startShopServer() {
  return createServer({
    sites: [
      {
        id: 'demo',
        name: 'Demo shop',
        origins: ['https://shop.example'],
        identity: {
          keys: [{ kid: '2026-01', alg: 'HS256', secret: process.env.SHOP_SECRET ?? '' }],
        },
      },
    ],
  })
}

// server-example:end

import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'
import { expect, test } from 'vitest'
import { createIdentityVerifier } from './create-identity-verifier.js'
import { parseIdentityConfig } from './identity-config.js'

// The snippets of docs/identity.md are checked here: the mint example is the code above,
// type-checked and run; the JSON examples are parsed and used.
const doc = readFileSync(
  fileURLToPath(new URL('../../../../docs/identity.md', import.meta.url)),
  'utf8',
)
const source = readFileSync(fileURLToPath(import.meta.url), 'utf8')

const between = (text: string, start: string, end: string) => {
  const from = text.indexOf(start)
  const to = text.indexOf(end, from)
  if (from < 0 || to < 0) throw new Error(`no ${start} … ${end}`)
  return text.slice(from + start.length, to)
}
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')

test('the mint example in the docs is the code run here', async () => {
  const documented = between(
    doc,
    '<!-- mint-example:start -->\n```ts\n',
    '```\n<!-- mint-example:end -->',
  )
  expect(between(source, '// mint-example:start\n', '// mint-example:end').trim()).toBe(
    documented.trim(),
  )

  const secret = 'a-secret-of-at-least-32-bytes-for-the-docs'
  process.env.CAUSETTE_IDENTITY_SECRET = secret
  try {
    const token = await causetteToken({
      id: 'customer-8412',
      email: 'ada@shop.example',
      name: 'Ada',
    })
    const verifier = createIdentityVerifier({ keys: [{ kid: '2026-01', alg: 'HS256', secret }] })
    expect(await verifier.verify(token)).toMatchObject({
      ok: true,
      identity: {
        sub: 'customer-8412',
        verified: { email: 'ada@shop.example', name: 'Ada', plan: 'gold' },
      },
    })
  } finally {
    delete process.env.CAUSETTE_IDENTITY_SECRET
  }
})

test('the server example in the docs is the code type-checked here', () => {
  const documented = between(
    doc,
    '<!-- server-example:start -->\n```ts\n',
    '```\n<!-- server-example:end -->',
  )
  expect(between(source, '// server-example:start\n', '// server-example:end').trim()).toBe(
    documented.trim(),
  )
  // Not started here: it would open ./.causette. A bad key would fail it at start, as tested
  // in http/identity-context.test.ts.
  expect(typeof startShopServer).toBe('function')
})

test('the configuration example in the docs is accepted (with a real public key)', () => {
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString()
  const example = jsonBlocks.find((block) => block.includes('"keys"')) ?? ''
  const filled = example.replace(/"-----BEGIN PUBLIC KEY-----[^"]*"/, JSON.stringify(pem))
  const config = parseIdentityConfig(filled)
  expect(config.keys.map((k) => `${k.kid}:${k.alg}`)).toEqual(['2026-01:HS256', '2026-06:ES256'])
  expect(config).toMatchObject({ issuer: 'https://shop.example', audience: 'causette' })
})

test('the claims example in the docs verifies, with the verified facts it describes', async () => {
  const claims = JSON.parse(jsonBlocks.find((block) => block.includes('"sub"')) ?? '{}')
  const secret = 'replace-with-32-or-more-random-bytes'
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: '2026-01', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret))
  const verifier = createIdentityVerifier(
    { keys: [{ kid: '2026-01', alg: 'HS256', secret }] },
    { now: () => claims.iat * 1000 },
  )
  expect(await verifier.verify(token)).toEqual({
    ok: true,
    identity: {
      sub: 'customer-8412',
      verified: {
        email: 'ada@shop.example',
        name: 'Ada Lovelace',
        plan: 'gold',
        lifetime_orders: 12,
        b2b: false,
      },
      expiresAt: claims.exp * 1000,
      kid: '2026-01',
    },
  })
})
