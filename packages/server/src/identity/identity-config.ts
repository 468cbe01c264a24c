import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'

/** Limits and tolerances of identity tokens (docs/identity.md). */
export const identityLimits = {
  /** Seconds of clock difference allowed between the shop's backend and the server. */
  clockToleranceS: 30,
  /** Longest lifetime of a token, `exp - iat` (or `exp - now` without `iat`), in seconds. */
  maxLifetimeS: 24 * 60 * 60,
  /** Lifetime `mintIdentityToken` gives a token when none is asked for, in seconds. */
  defaultExpiresInS: 10 * 60,
  /** Characters in a token. */
  tokenMaxChars: 8 * 1024,
  /** Characters in `sub`. */
  subMaxLength: 255,
  /** Bytes of an HS256 secret (RFC 7518 §3.2: at least the hash's size). */
  hmacSecretMinBytes: 32,
} as const

/** A key that verifies identity tokens, pinned to one algorithm. `kid` selects it in a token. */
export type IdentityKey =
  | { readonly kid: string; readonly alg: 'HS256'; readonly secret: string }
  | {
      readonly kid: string
      readonly alg: 'ES256'
      /** The P-256 public key: a JWK, or a PEM `-----BEGIN PUBLIC KEY-----` (SPKI). */
      readonly publicKey: JWK | string
    }

/** How a site verifies the identity tokens its backend mints. Secrets never leave the server. */
export interface SiteIdentityConfig {
  /** Every key valid now: during a rotation, the old and the new one. */
  readonly keys: readonly IdentityKey[]
  /** When set, tokens must carry this `iss`. */
  readonly issuer?: string
  /** When set, tokens must carry this `aud` (or list it). */
  readonly audience?: string
}

const kidPattern = /^[\w.:-]{1,128}$/

/**
 * Checks a site's identity configuration; throws at once on misuse, naming the key by its kid
 * and never quoting a secret.
 */
export function checkIdentityConfig(config: SiteIdentityConfig, where = 'identity'): void {
  if (!Array.isArray(config.keys) || config.keys.length === 0) {
    throw new Error(`${where}: keys must list at least one key`)
  }
  const kids = new Set<string>()
  config.keys.forEach((key: IdentityKey, index) => {
    const at = `${where}.keys[${index}]`
    if (typeof key.kid !== 'string' || !kidPattern.test(key.kid)) {
      throw new Error(`${at}: kid must be 1 to 128 letters, digits or . _ : -`)
    }
    if (kids.has(key.kid)) throw new Error(`${at}: kid ${key.kid} is used twice`)
    kids.add(key.kid)
    const alg = (key as { alg?: unknown }).alg
    if (alg === 'HS256') {
      const secret = (key as { secret?: unknown }).secret
      if (typeof secret !== 'string') throw new Error(`${at}: HS256 needs a secret string`)
      if (Buffer.byteLength(secret) < identityLimits.hmacSecretMinBytes) {
        throw new Error(
          `${at}: the HS256 secret of ${key.kid} must have at least ${identityLimits.hmacSecretMinBytes} bytes`,
        )
      }
    } else if (alg === 'ES256') {
      publicKeyObject((key as { publicKey?: unknown }).publicKey, `${at} (${key.kid})`)
    } else {
      throw new Error(`${at}: alg must be HS256 or ES256`)
    }
  })
  for (const name of ['issuer', 'audience'] as const) {
    const value = config[name]
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw new Error(`${where}.${name} must be a non-empty string`)
    }
  }
}

/** The P-256 public key of an ES256 entry; refuses private keys and other curves. */
export function publicKeyObject(input: unknown, where: string): KeyObject {
  let key: KeyObject
  try {
    if (typeof input === 'string') {
      if (input.includes('PRIVATE KEY')) throw new Error('a private key')
      key = createPublicKey(input)
    } else if (typeof input === 'object' && input !== null) {
      if ('d' in input) throw new Error('a private key')
      key = createPublicKey({ key: input as JsonWebKey, format: 'jwk' })
    } else {
      throw new Error('missing')
    }
  } catch (error) {
    const why =
      error instanceof Error && error.message === 'a private key'
        ? 'is a private key'
        : 'is not a valid public key'
    throw new Error(`${where}: the ES256 publicKey ${why} (give the PEM SPKI or the public JWK)`)
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${where}: an ES256 key must be on the P-256 curve`)
  }
  return key
}

/**
 * Reads identity settings from an environment variable's JSON: a list of keys, or
 * `{ "keys": [...], "issuer"?, "audience"? }`. Throws without quoting the value.
 *
 * @example
 * parseIdentityConfig('[{"kid":"2026-01","alg":"HS256","secret":"…32 bytes or more…"}]')
 */
export function parseIdentityConfig(
  json: string,
  where = 'CAUSETTE_IDENTITY_KEYS',
): SiteIdentityConfig {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    throw new Error(`${where} is not valid JSON`)
  }
  const config = (Array.isArray(parsed) ? { keys: parsed } : parsed) as SiteIdentityConfig
  if (typeof config !== 'object' || config === null) {
    throw new Error(`${where} must be a list of keys or an object with keys`)
  }
  checkIdentityConfig(config, where)
  return config
}
