import { type CommerceError, commerceError, decodeCommerce } from './commerce-error.js'
import { CommerceEvent } from './commerce-event.js'
import { commerceLimits } from './commerce-limits.js'

/**
 * What an adapter makes of a payload: the canonical events it stands for (several when a payload
 * adds several products), a typed error, or `'ignored'` for a payload that is no commerce event
 * (`gtm.js`, a consent update, a page view).
 */
export type Adapted =
  | { readonly ok: true; readonly value: readonly CommerceEvent[] }
  | { readonly ok: false; readonly error: CommerceError }
  | { readonly ok: 'ignored'; readonly reason: string }

/** Options of the GA4 and dataLayer adapters. */
export interface AdapterOptions {
  /** Currency of payloads that carry amounts but no currency (legacy pushes often set it once). */
  readonly currency?: string
  /** URL against which relative product and image URLs are resolved; without it they are left out. */
  readonly baseUrl?: string
}

export type Payload = Readonly<Record<string, unknown>>

/** Whether `v` is an object whose properties can be read (not an array). */
export function isPayload(v: unknown): v is Payload {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * The own property `key` of `v`, never an inherited one; `null` and `''` count as absent since
 * tag managers fill unset fields with them.
 */
export function own(v: unknown, key: string): unknown {
  if (!isPayload(v) || !Object.hasOwn(v, key)) return undefined
  const value = v[key]
  return value === null || value === '' ? undefined : value
}

/** `fields` without its undefined members, so the canonical event carries only what was given. */
export function compact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value
  return out
}

/** `value` as an absolute URL: resolved against `baseUrl` when relative, left out when it cannot be. */
export function absoluteUrl(value: unknown, baseUrl: string | undefined): unknown {
  if (typeof value !== 'string' || /^[a-z][a-z0-9+.-]*:/i.test(value)) return value
  if (baseUrl === undefined) return undefined
  try {
    return new URL(value, baseUrl).href
  } catch {
    return undefined
  }
}

/** The array of products at `path`, or the typed error that it is not one the adapters accept. */
export function itemsAt(
  v: unknown,
  path: readonly string[],
  required: boolean,
): { items: readonly unknown[] } | { error: CommerceError } {
  if (v === undefined && !required) return { items: [] }
  if (!Array.isArray(v)) return { error: commerceError('invalid_argument', path, 'expected array') }
  if (v.length > commerceLimits.itemsMax) {
    return {
      error: commerceError(
        'limit_exceeded',
        path,
        `at most ${commerceLimits.itemsMax} items allowed`,
      ),
    }
  }
  if (required && v.length === 0) {
    return { error: commerceError('invalid_argument', path, 'at least 1 item required') }
  }
  return { items: v }
}

/** Validates the canonical events an adapter built; the first invalid one makes the error. */
export function adapted(events: readonly unknown[]): Adapted {
  const value: CommerceEvent[] = []
  for (const event of events) {
    const decoded = decodeCommerce(CommerceEvent, event)
    if (!decoded.ok) return decoded
    value.push(decoded.value)
  }
  return { ok: true, value }
}

/** The result for a payload that is not a commerce event. */
export function ignored(reason: string): Adapted {
  return { ok: 'ignored', reason }
}
