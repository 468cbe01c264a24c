import { createPrivateKey, type JsonWebKey, KeyObject } from 'node:crypto'
import { type JWK, SignJWT } from 'jose'
import { identityLimits } from './identity-config.js'
import { type IdentityClaims, verifiedClaims } from './verified-claims.js'

/** The signing side of a site's identity key: the same `kid` as configured on the server. */
export type IdentitySigningKey =
  | { readonly kid: string; readonly alg: 'HS256'; readonly secret: string }
  | {
      readonly kid: string
      readonly alg: 'ES256'
      /** The P-256 private key: a PEM `-----BEGIN PRIVATE KEY-----` (PKCS#8), a JWK, or a KeyObject. */
      readonly privateKey: string | JWK | KeyObject
    }

export interface MintIdentityTokenOptions {
  readonly key: IdentitySigningKey
  /** The shop's stable id for the customer (1 to 255 characters): the same on every device. */
  readonly sub: string
  /** Verified facts: `email`, `name`, and `attributes`. */
  readonly claims?: IdentityClaims
  /** Seconds until the token expires, at most 24 hours. @default 600 */
  readonly expiresInS?: number
  /** Sets `iss`; required when the server is configured with an issuer. */
  readonly issuer?: string
  /** Sets `aud`; required when the server is configured with an audience. */
  readonly audience?: string
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number
}

/**
 * Mints the short-lived identity token a shop's backend hands to the page, which passes it to
 * `identify`. Run it on the server only: the key must never reach the browser. Throws at once
 * on misuse (empty `sub`, a short secret, a lifetime over 24 hours, malformed claims).
 *
 * @example
 * import { mintIdentityToken } from '@causette/server/identity'
 *
 * const token = await mintIdentityToken({
 *   key: { kid: '2026-01', alg: 'HS256', secret: process.env.CAUSETTE_IDENTITY_SECRET },
 *   sub: customer.id,
 *   claims: { email: customer.email, name: customer.name, attributes: { plan: 'gold' } },
 * })
 */
export async function mintIdentityToken(options: MintIdentityTokenOptions): Promise<string> {
  const { key, sub } = options
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > identityLimits.subMaxLength) {
    throw new RangeError(`sub must be a string of 1 to ${identityLimits.subMaxLength} characters`)
  }
  const expiresInS = options.expiresInS ?? identityLimits.defaultExpiresInS
  if (!Number.isInteger(expiresInS) || expiresInS < 1 || expiresInS > identityLimits.maxLifetimeS) {
    throw new RangeError(
      `expiresInS must be a whole number of seconds from 1 to ${identityLimits.maxLifetimeS}, got ${expiresInS}`,
    )
  }
  const claims = { ...options.claims }
  const checked = verifiedClaims(claims)
  if (!checked.ok) throw new TypeError(checked.message)

  const iat = Math.floor((options.now ?? Date.now)() / 1000)
  const jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresInS)
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer)
  if (options.audience !== undefined) jwt.setAudience(options.audience)

  if (key.alg === 'HS256') {
    const secret = new TextEncoder().encode(key.secret)
    if (secret.length < identityLimits.hmacSecretMinBytes) {
      throw new RangeError(
        `the HS256 secret of ${key.kid} must have at least ${identityLimits.hmacSecretMinBytes} bytes`,
      )
    }
    return jwt.sign(secret)
  }
  const privateKey =
    typeof key.privateKey === 'string'
      ? createPrivateKey(key.privateKey)
      : key.privateKey instanceof KeyObject
        ? key.privateKey
        : createPrivateKey({ key: key.privateKey as JsonWebKey, format: 'jwk' })
  return jwt.sign(privateKey)
}
