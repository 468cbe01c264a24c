export type {
  IdentityVerification,
  IdentityVerifier,
  IdentityVerifierOptions,
  VerifiedIdentity,
} from './create-identity-verifier.js'
export { createIdentityVerifier } from './create-identity-verifier.js'
export type { IdentityKey, SiteIdentityConfig } from './identity-config.js'
export { identityLimits, parseIdentityConfig } from './identity-config.js'
export type { IdentityErrorCode, IdentityFailure } from './identity-errors.js'
export { identityErrorCodes } from './identity-errors.js'
export type { IdentitySigningKey, MintIdentityTokenOptions } from './mint-identity-token.js'
export { mintIdentityToken } from './mint-identity-token.js'
export type { IdentityClaims } from './verified-claims.js'
