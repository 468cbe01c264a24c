const encoder = new TextEncoder()

/**
 * Bytes of `value` as UTF-8 JSON: how size caps on context, snapshots and rule matches are
 * measured. A value JSON cannot encode (a cycle, a BigInt) counts as infinitely large.
 */
export function jsonBytes(value: unknown): number {
  try {
    return encoder.encode(JSON.stringify(value)).length
  } catch {
    return Number.POSITIVE_INFINITY
  }
}
