import type { KeyObject } from 'node:crypto'
import type { ContextValue } from '@causette/events'
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose'
import {
  checkIdentityConfig,
  identityLimits,
  publicKeyObject,
  type SiteIdentityConfig,
} from './identity-config.js'
import type { IdentityFailure } from './identity-errors.js'
import { verifiedClaims } from './verified-claims.js'

/** What a valid token says about the visitor. */
export interface VerifiedIdentity {
  /** The shop's id for the person: the same on every device. */
  readonly sub: string
  /** Verified facts from `email`, `name` and `attributes`; `null` removes one. */
  readonly verified: Readonly<Record<string, ContextValue>>
  /** The token's `exp`, in epoch milliseconds. */
  readonly expiresAt: number
  /** The key that verified it. */
  readonly kid: string
}

export type IdentityVerification =
  | { readonly ok: true; readonly identity: VerifiedIdentity }
  | { readonly ok: false; readonly error: IdentityFailure }

export interface IdentityVerifier {
  /** Checks a token minted by the site's backend; never throws. */
  verify(token: string): Promise<IdentityVerification>
}

export interface IdentityVerifierOptions {
  /** @default identityLimits.clockToleranceS (30 s) */
  readonly clockToleranceS?: number
  /** @default identityLimits.maxLifetimeS (24 h) */
  readonly maxLifetimeS?: number
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number
}

interface ResolvedKey {
  readonly kid: string
  readonly alg: 'HS256' | 'ES256'
  readonly material: Uint8Array | KeyObject
}

const fail = (code: IdentityFailure['code'], message: string) =>
  ({ ok: false, error: { code, message } }) as const

/** Shortens an attacker-chosen header value before it goes into a message. */
const quote = (value: unknown) => JSON.stringify(String(value).slice(0, 32))

/**
 * Verifies a site's identity tokens: HS256 or ES256, the algorithm pinned by the key that `kid`
 * names (so `alg: none` and HS/ES confusion are refused), `exp` and `sub` required, a bounded
 * lifetime, and `iss`/`aud` when configured. Throws at once on a bad configuration.
 *
 * @example
 * const verifier = createIdentityVerifier({ keys: [{ kid: 'k1', alg: 'HS256', secret }] })
 * const result = await verifier.verify(token)
 * if (result.ok) console.log(result.identity.sub)
 */
export function createIdentityVerifier(
  config: SiteIdentityConfig,
  options: IdentityVerifierOptions = {},
): IdentityVerifier {
  checkIdentityConfig(config)
  const toleranceS = options.clockToleranceS ?? identityLimits.clockToleranceS
  const maxLifetimeS = options.maxLifetimeS ?? identityLimits.maxLifetimeS
  const now = options.now ?? Date.now
  const keys: readonly ResolvedKey[] = config.keys.map((key) =>
    key.alg === 'HS256'
      ? { kid: key.kid, alg: key.alg, material: new TextEncoder().encode(key.secret) }
      : { kid: key.kid, alg: key.alg, material: publicKeyObject(key.publicKey, key.kid) },
  )

  function keyFor(kid: unknown): ResolvedKey | IdentityFailure {
    if (kid === undefined) {
      const only = keys.length === 1 ? keys[0] : undefined
      return (
        only ?? {
          code: 'identity_unknown_key',
          message: 'the token has no kid and the site has several keys',
        }
      )
    }
    const key = typeof kid === 'string' ? keys.find((k) => k.kid === kid) : undefined
    return key ?? { code: 'identity_unknown_key', message: `no key with kid ${quote(kid)}` }
  }

  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length > identityLimits.tokenMaxChars) {
        return fail(
          'identity_malformed',
          `a token is a string of at most ${identityLimits.tokenMaxChars} characters`,
        )
      }
      let header: ReturnType<typeof decodeProtectedHeader>
      try {
        header = decodeProtectedHeader(token)
      } catch {
        return fail('identity_malformed', 'not a JWT in compact form')
      }
      if (header.alg !== 'HS256' && header.alg !== 'ES256') {
        return fail(
          'identity_bad_algorithm',
          `alg ${quote(header.alg)} is refused: HS256 or ES256 only`,
        )
      }
      const key = keyFor(header.kid)
      if ('code' in key) return { ok: false, error: key }
      if (key.alg !== header.alg) {
        return fail(
          'identity_bad_algorithm',
          `key ${key.kid} is ${key.alg}, the token says ${header.alg}`,
        )
      }
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(token, key.material, {
          algorithms: [key.alg],
          requiredClaims: ['exp', 'iat', 'sub'],
          clockTolerance: toleranceS,
          currentDate: new Date(now()),
          ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
          ...(config.audience === undefined ? {} : { audience: config.audience }),
        }))
      } catch (error) {
        return { ok: false, error: failureOf(error) }
      }
      const sub = payload.sub
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > identityLimits.subMaxLength) {
        return fail(
          'identity_missing_sub',
          `sub must be a string of 1 to ${identityLimits.subMaxLength} characters`,
        )
      }
      const exp = payload.exp as number
      const nowS = now() / 1000
      const iat = payload.iat as number
      if (iat > nowS + toleranceS) {
        return fail('identity_not_yet_valid', 'iat is in the future')
      }
      if (exp - iat > maxLifetimeS) {
        return fail(
          'identity_lifetime_too_long',
          `a token may live at most ${maxLifetimeS} s (exp - iat)`,
        )
      }
      const claims = verifiedClaims(payload)
      if (!claims.ok) return fail('identity_malformed', claims.message)
      return {
        ok: true,
        identity: { sub, verified: claims.values, expiresAt: exp * 1000, kid: key.kid },
      }
    },
  }
}

/** Maps jose's errors to ours; anything unexpected is a malformed token, never a crash. */
function failureOf(error: unknown): IdentityFailure {
  if (error instanceof errors.JWTExpired) {
    return { code: 'identity_expired', message: 'the token has expired (exp)' }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return { code: 'identity_bad_signature', message: 'the signature does not match the key' }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return { code: 'identity_bad_algorithm', message: 'the algorithm is refused for this key' }
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'sub':
        return { code: 'identity_missing_sub', message: 'the token has no sub' }
      case 'nbf':
        return { code: 'identity_not_yet_valid', message: 'nbf is in the future' }
      case 'iss':
      case 'aud':
        return {
          code: 'identity_claim_mismatch',
          message: `${error.claim} is not the one expected`,
        }
      default:
        return {
          code: 'identity_malformed',
          message: `claim ${error.claim}: ${error.reason === 'missing' ? 'required' : 'invalid'}`,
        }
    }
  }
  return { code: 'identity_malformed', message: 'not a valid JWT' }
}
