/**
 * Why an identity token was refused: the `code` of `{ error: { code, message } }` and its HTTP
 * status. None is retryable with the same token; the widget asks the shop for a new one.
 */
export const identityErrorCodes = {
  /** Not a compact JWS, over 8 KiB, or a claim of the wrong type (`exp` missing, bad `attributes`). */
  identity_malformed: 401,
  /** `exp` is in the past (beyond the clock tolerance). */
  identity_expired: 401,
  /** `nbf` or `iat` is in the future (beyond the clock tolerance). */
  identity_not_yet_valid: 401,
  /** `exp` is further from `iat` (or from now) than the longest lifetime, 24 hours. */
  identity_lifetime_too_long: 401,
  /** The signature does not match the key named by `kid`. */
  identity_bad_signature: 401,
  /** `sub` is missing, empty, not a string or over 255 characters. */
  identity_missing_sub: 401,
  /** `kid` names no configured key, or there is no `kid` and the site has several keys. */
  identity_unknown_key: 401,
  /** `alg` is not HS256 or ES256, or not the algorithm of the key named by `kid`. */
  identity_bad_algorithm: 401,
  /** `iss` or `aud` is not the one the site expects. */
  identity_claim_mismatch: 401,
  /** The site has no identity keys: identify is off. */
  identity_not_configured: 400,
} as const

export type IdentityErrorCode = keyof typeof identityErrorCodes

/** A refused token: a stable code, and a message that never quotes the token. */
export interface IdentityFailure {
  readonly code: IdentityErrorCode
  readonly message: string
}
