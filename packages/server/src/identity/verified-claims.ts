import { type ContextValue, ContextValues, contextLimits, decodeContext } from '@causette/events'

/** The claims of an identity token that become verified facts of the visitor. */
export interface IdentityClaims {
  /** Becomes the verified `email` fact. */
  readonly email?: string
  /** Becomes the verified `name` fact. */
  readonly name?: string
  /** Each member becomes a verified fact of that name; `null` removes one. */
  readonly attributes?: Readonly<Record<string, ContextValue>>
}

/**
 * The verified facts a token's claims carry: `attributes` members, then `email` and `name`
 * (which win over attributes of the same name). Untrusted input: never throws.
 */
export function verifiedClaims(
  payload: Readonly<Record<string, unknown>>,
): { ok: true; values: Record<string, ContextValue> } | { ok: false; message: string } {
  const values: Record<string, ContextValue> = {}
  if (payload.attributes !== undefined) {
    const attributes = decodeContext(ContextValues, payload.attributes)
    if (!attributes.ok)
      return { ok: false, message: `attributes claim: ${attributes.error.message}` }
    Object.assign(values, attributes.value)
  }
  for (const name of ['email', 'name'] as const) {
    const value = payload[name]
    if (value === undefined) continue
    if (typeof value !== 'string' || value.length > contextLimits.stringValueMax) {
      return {
        ok: false,
        message: `${name} claim must be a string of at most ${contextLimits.stringValueMax} characters`,
      }
    }
    values[name] = value
  }
  if (Object.keys(values).length > contextLimits.keysPerScope) {
    return {
      ok: false,
      message: `at most ${contextLimits.keysPerScope} verified facts (email, name and attributes)`,
    }
  }
  return { ok: true, values }
}
