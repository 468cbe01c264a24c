import { createHash, randomBytes } from 'node:crypto'

/** A bearer secret of 256 random bits, base64url. */
export function createToken(): string {
  return randomBytes(32).toString('base64url')
}

/** How tokens are stored: SHA-256, hex. A 256-bit random token needs no salt or slow hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
