/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids sort by creation
 * time. Hand-written because the browser bundle cannot afford a dependency for 15 lines.
 */
export function createId(now = Date.now(), random = randomBytes): string {
  const bytes = random(16)
  let ms = now
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256
    ms = Math.floor(ms / 256)
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n))
}

/**
 * Random bytes served from a 4 KiB pool refilled by one `getRandomValues` call, instead of one
 * call per id (a system call each on Node). Each caller makes its own pool: no shared state.
 */
export function createRandomPool(size = 4096): (n: number) => Uint8Array {
  let pool = new Uint8Array(0)
  let offset = 0
  return (n) => {
    if (offset + n > pool.length) {
      pool = globalThis.crypto.getRandomValues(new Uint8Array(Math.max(size, n)))
      offset = 0
    }
    offset += n
    return pool.slice(offset - n, offset)
  }
}
