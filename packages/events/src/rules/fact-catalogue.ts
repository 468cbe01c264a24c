import { pageTypes } from '../commerce/page-types.js'
import { isSafeKey, reservedKeys } from '../safe-key.js'
import type { TrustLevel } from '../trust-level.js'
import { ruleLimits } from './rule-limits.js'

/** The value types facts have; each has its own whitelist of operators. */
export type FactType = 'string' | 'number' | 'money' | 'bool' | 'enum' | 'attribute'

export const deviceTypes = ['mobile', 'tablet', 'desktop'] as const
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof weekdays)[number]

interface FixedFact {
  readonly type: Exclude<FactType, 'attribute'>
  /** Members of an enum fact. */
  readonly values?: readonly string[]
  /** Trust of the value; cart facts take theirs from the facts (`cart_trust`). */
  readonly trust: TrustLevel
}

/** Every fact with a fixed name; `visitor.*`, `events.*.count` and `agents.available.*` are parametrised. */
export const fixedFacts = {
  'page.url': { type: 'string', trust: 'observed' },
  'page.path': { type: 'string', trust: 'observed' },
  'page.title': { type: 'string', trust: 'observed' },
  'page.referrer': { type: 'string', trust: 'observed' },
  'page.type': { type: 'enum', values: pageTypes, trust: 'host' },
  time_on_page_s: { type: 'number', trust: 'observed' },
  time_on_site_s: { type: 'number', trust: 'observed' },
  visits: { type: 'number', trust: 'observed' },
  device: { type: 'enum', values: deviceTypes, trust: 'observed' },
  language: { type: 'string', trust: 'observed' },
  'cart.value': { type: 'money', trust: 'host' },
  'cart.item_count': { type: 'number', trust: 'host' },
  'cart.currency': { type: 'string', trust: 'host' },
  'conversation.active': { type: 'bool', trust: 'observed' },
  'agents.available': { type: 'number', trust: 'verified' },
  business_hours: { type: 'bool', trust: 'observed' },
  'now.weekday': { type: 'enum', values: weekdays, trust: 'observed' },
  'now.hour': { type: 'number', trust: 'observed' },
} as const satisfies Record<string, FixedFact>
export type FixedFactName = keyof typeof fixedFacts

/** A fact path, parsed. */
export type FactRef =
  | { readonly kind: 'fixed'; readonly name: FixedFactName }
  | { readonly kind: 'visitor'; readonly key: string }
  | { readonly kind: 'event_count'; readonly event: string }
  | { readonly kind: 'team_agents'; readonly team: string }

const idPattern = /^[a-z0-9][a-z0-9_-]*$/i
// Event names are free text ("Product Added"), but never control characters or reserved words.
const eventPattern = /^[^\p{Cc}]+$/u

/** Whether `id` may name a rule or a team: letters, digits, `_` and `-`, never `constructor` and the like. */
export function isSafeId(id: string): boolean {
  return id.length <= ruleLimits.idMax && idPattern.test(id) && !reservedKeys.includes(id)
}

/** Whether `name` may name a tracked event in `events.<name>.count`. */
export function isSafeEventName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= ruleLimits.idMax &&
    eventPattern.test(name) &&
    !reservedKeys.includes(name.trim())
  )
}

/** Parses a fact path such as `cart.value` or `visitor.plan`; undefined when it names no fact. */
export function parseFact(path: string): FactRef | undefined {
  if (Object.hasOwn(fixedFacts, path)) return { kind: 'fixed', name: path as FixedFactName }
  if (path.startsWith('visitor.')) {
    const key = path.slice(8)
    return isSafeKey(key, ruleLimits.idMax) ? { kind: 'visitor', key } : undefined
  }
  if (path.startsWith('events.') && path.endsWith('.count')) {
    const event = path.slice(7, -6)
    return isSafeEventName(event) ? { kind: 'event_count', event } : undefined
  }
  if (path.startsWith('agents.available.')) {
    const team = path.slice(17)
    return isSafeId(team) ? { kind: 'team_agents', team } : undefined
  }
  return undefined
}

/** The type of a parsed fact, and the members of an enum fact. */
export function factType(ref: FactRef): { type: FactType; values?: readonly string[] } {
  switch (ref.kind) {
    case 'fixed':
      return fixedFacts[ref.name]
    case 'visitor':
      return { type: 'attribute' }
    case 'event_count':
    case 'team_agents':
      return { type: 'number' }
  }
}
