import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

/** scrypt cost: N=2^15, r=8, p=1 (OWASP's minimum is N=2^17 with p=1 or 2^15 with more memory; 32 MiB here). */
const params = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 }

function derive(password: string, salt: Buffer, options: ScryptOptions & { keyLength: number }) {
  return new Promise<Buffer>((resolve, reject) => {
    const { keyLength, ...cost } = options
    scrypt(
      password.normalize('NFKC'),
      salt,
      keyLength,
      { ...cost, maxmem: 64 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url), self-describing for later upgrades. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, params)
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$')
}

/** Checks a password against a stored hash in constant time. False for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keyLength: expected.length,
  })
  return key.length === expected.length && timingSafeEqual(key, expected)
}
