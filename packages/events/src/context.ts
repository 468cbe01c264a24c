import * as z from 'zod/mini'
import { CartSnapshot as CommerceCart } from './commerce/cart-snapshot.js'
import { PageSnapshot as CommercePage } from './commerce/page-snapshot.js'
import { jsonBytes } from './json-bytes.js'
import { RuleMatch } from './rules/explanation.js'
import { keyPattern, reservedKeys } from './safe-key.js'
import { TrustLevel, trustAtLeast } from './trust-level.js'

/**
 * Limits on visitor context, enforced by the schemas below on both sides of the wire and by
 * `applyContextUpdate` on the merged result (docs/identity.md, "Limits").
 */
export const contextLimits = {
  /** Characters in an attribute key. */
  keyMaxLength: 64,
  /** Keys in one scope, in an update and in the stored result. */
  keysPerScope: 50,
  /** Characters in a string value. */
  stringValueMax: 512,
  /** Bytes of a whole `ContextUpdate`, encoded as JSON (UTF-8). */
  updateBytesMax: 32 * 1024,
  /** Distinct event names counted per visitor. */
  eventNamesMax: 100,
  /** Characters in an event name (`Product Added`, `add_to_cart`). */
  eventNameMaxLength: 128,
  /** Largest event count. */
  eventCountMax: 1_000_000_000,
  /** Bytes of a cart or page snapshot, and of a rule match, encoded as JSON. */
  snapshotBytesMax: 16 * 1024,
} as const

/** Where a host-set value lives: with the visitor, its session, the page, or one conversation. */
export const ContextScope = /* @__PURE__ */ z.enum(['visitor', 'session', 'page', 'conversation'])
export type ContextScope = z.infer<typeof ContextScope>

const notReserved = (key: string) => !reservedKeys.includes(key)

/** A record of at most `maxKeys` keys. */
function boundedRecord<K extends z.ZodMiniType<string, unknown>, V extends z.ZodMiniType>(
  key: K,
  value: V,
  maxKeys: number,
) {
  return z.record(key, value).check(
    z.check((payload) => {
      if (Object.keys(payload.value).length > maxKeys) {
        payload.issues.push({
          code: 'too_big',
          origin: 'object',
          maximum: maxKeys,
          input: payload.value,
          message: `at most ${maxKeys} keys`,
        })
      }
    }),
  )
}

/**
 * The path of the first own `__proto__` key in raw input. Zod drops such keys silently (so
 * nothing is polluted), but a caller must hear that its key was refused, so decoding checks the
 * raw input first. Iterative, so deep input cannot exhaust the stack.
 */
function reservedKeyPath(input: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value: input, path: '' }]
  const seen = new Set<object>()
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, path } = next
    if (typeof value !== 'object' || value === null || seen.has(value)) continue
    seen.add(value)
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) {
      return path === '' ? '__proto__' : `${path}.__proto__`
    }
    for (const [key, child] of Object.entries(value)) {
      stack.push({ value: child, path: path === '' ? key : `${path}.${key}` })
    }
  }
  return undefined
}

/** A JSON object of at most `maxBytes` when encoded. */
/** A check that the value, as JSON, takes at most `maxBytes`. */
function bytesAtMost(maxBytes: number) {
  return z.check<unknown>((payload) => {
    if (jsonBytes(payload.value) > maxBytes) {
      payload.issues.push({
        code: 'too_big',
        origin: 'object',
        maximum: maxBytes,
        input: payload.value,
        message: `at most ${maxBytes} bytes as JSON`,
      })
    }
  })
}

/** An attribute key: a letter, then letters, digits or `_`; never a prototype name. */
export const ContextKey = /* @__PURE__ */ z
  .string()
  .check(
    z.regex(keyPattern),
    z.maxLength(contextLimits.keyMaxLength),
    z.refine(notReserved, 'reserved key'),
  )

/** A context value: a JSON primitive. In an update, `null` deletes the key. */
export const ContextValue = /* @__PURE__ */ z.union([
  z.string().check(z.maxLength(contextLimits.stringValueMax)),
  z.number(),
  z.boolean(),
  z.null(),
])
export type ContextValue = z.infer<typeof ContextValue>

/** The values of one scope in an update, keyed by attribute. */
export const ContextValues = /* @__PURE__ */ boundedRecord(
  ContextKey,
  ContextValue,
  contextLimits.keysPerScope,
)
export type ContextValues = z.infer<typeof ContextValues>

/** Running counts of the visitor's events, by event name. */
export const EventCounts = /* @__PURE__ */ boundedRecord(
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(contextLimits.eventNameMaxLength),
      z.refine(notReserved, 'reserved key'),
    ),
  z.number().check(z.int(), z.minimum(0), z.maximum(contextLimits.eventCountMax)),
  contextLimits.eventNamesMax,
)
export type EventCounts = z.infer<typeof EventCounts>

const CartSnapshot = /* @__PURE__ */ CommerceCart.check(bytesAtMost(contextLimits.snapshotBytesMax))
const PageSnapshot = /* @__PURE__ */ CommercePage.check(bytesAtMost(contextLimits.snapshotBytesMax))
/** Which engagement rule started a conversation, and why: agents see it with the conversation. */
export const ConversationTrigger = RuleMatch
export type ConversationTrigger = RuleMatch

/** What the widget (or a server) sends to change a visitor's context; every part optional. */
export const ContextUpdate = /* @__PURE__ */ z
  .strictObject({
    visitor: z.optional(ContextValues),
    session: z.optional(ContextValues),
    page: z.optional(ContextValues),
    conversation: z.optional(ContextValues),
    observed: z.optional(ContextValues),
    /** The cart as it is now; `null` empties it. */
    cart: z.optional(z.nullable(CartSnapshot)),
    page_view: z.optional(PageSnapshot),
    events: z.optional(EventCounts),
  })
  .check(
    z.check((payload) => {
      const bytes = jsonBytes(payload.value)
      if (bytes > contextLimits.updateBytesMax) {
        payload.issues.push({
          code: 'too_big',
          origin: 'object',
          maximum: contextLimits.updateBytesMax,
          input: payload.value,
          message: `at most ${contextLimits.updateBytesMax} bytes as JSON (got ${bytes})`,
        })
      }
    }),
  )
export type ContextUpdate = z.infer<typeof ContextUpdate>

/** One stored fact: its value, how far it can be trusted, and when it was set (epoch ms). */
export const ContextEntry = /* @__PURE__ */ z.object({
  value: z.union([
    z.string().check(z.maxLength(contextLimits.stringValueMax)),
    z.number(),
    z.boolean(),
  ]),
  trust: TrustLevel,
  updated_at: z.number(),
})
export type ContextEntry = z.infer<typeof ContextEntry>

const ContextEntries = /* @__PURE__ */ boundedRecord(
  ContextKey,
  ContextEntry,
  contextLimits.keysPerScope,
)
export type ContextEntries = z.infer<typeof ContextEntries>

/** What agents read with a conversation: every scope with trust levels, snapshots, and the rule. */
export const ContextView = /* @__PURE__ */ z.object({
  visitor: ContextEntries,
  session: ContextEntries,
  page: ContextEntries,
  conversation: ContextEntries,
  observed: ContextEntries,
  cart: z.nullable(CartSnapshot),
  page_view: z.nullable(PageSnapshot),
  events: EventCounts,
  trigger: z.nullable(ConversationTrigger),
})
export type ContextView = z.infer<typeof ContextView>

/** A context with nothing in it. */
export function emptyContextView(): ContextView {
  return {
    visitor: {},
    session: {},
    page: {},
    conversation: {},
    observed: {},
    cart: null,
    page_view: null,
    events: {},
    trigger: null,
  }
}

/** The parts of a view that hold keyed facts. */
export type ContextPart = ContextScope | 'observed' | 'events'

/** A key of an update that was not applied, and why; the rest of the update was. */
export interface ContextRejection {
  readonly scope: ContextPart
  readonly key: string
  /** `weaker_trust`: the key holds a stronger (verified) value; `limit_exceeded`: no room left. */
  readonly reason: 'weaker_trust' | 'limit_exceeded'
}

const keyedParts = ['visitor', 'session', 'page', 'conversation', 'observed'] as const

/** Removes the oldest entry that is not verified; false when every entry is verified. */
function evictWeakest(entries: ContextEntries): boolean {
  let oldest: string | undefined
  let oldestAt = Number.POSITIVE_INFINITY
  for (const [key, entry] of Object.entries(entries)) {
    if (entry.trust !== 'verified' && entry.updated_at < oldestAt) {
      oldest = key
      oldestAt = entry.updated_at
    }
  }
  if (oldest === undefined) return false
  delete entries[oldest]
  return true
}

/**
 * Merges an update into a view, never replacing a fact with a weaker one (a verified value
 * stays whatever host or observed updates say). Scope keys take `trust`, `observed` keys take
 * 'observed'. Pure: the input view is not modified.
 */
export function applyContextUpdate(
  view: ContextView,
  update: ContextUpdate,
  trust: TrustLevel,
  now: number,
): { readonly view: ContextView; readonly rejected: readonly ContextRejection[] } {
  const rejected: ContextRejection[] = []
  const next: ContextView = { ...view }
  for (const part of keyedParts) {
    const values = update[part]
    if (values === undefined) continue
    const incoming: TrustLevel = part === 'observed' ? 'observed' : trust
    const entries: ContextEntries = { ...view[part] }
    let count = Object.keys(entries).length
    // A full scope refuses a new key, except a verified one: it takes the place of the oldest
    // weaker value, so that page scripts can never crowd out what the shop signed.
    const makeRoom = (level: TrustLevel) => {
      if (level !== 'verified' || !evictWeakest(entries)) return false
      count--
      return true
    }
    for (const [key, value] of Object.entries(values)) {
      // Own properties only: a key such as `toString` must not find Object.prototype's.
      const existing = Object.hasOwn(entries, key) ? entries[key] : undefined
      if (existing && !trustAtLeast(incoming, existing.trust)) {
        rejected.push({ scope: part, key, reason: 'weaker_trust' })
      } else if (value === null) {
        if (existing) {
          delete entries[key]
          count--
        }
      } else if (!existing && count >= contextLimits.keysPerScope && !makeRoom(incoming)) {
        rejected.push({ scope: part, key, reason: 'limit_exceeded' })
      } else {
        if (!existing) count++
        entries[key] = { value, trust: incoming, updated_at: now }
      }
    }
    next[part] = entries
  }
  if (update.cart !== undefined) next.cart = update.cart
  if (update.page_view !== undefined) next.page_view = update.page_view
  if (update.events !== undefined) {
    const events: EventCounts = { ...view.events }
    let count = Object.keys(events).length
    // Counts are the widget's running totals, not increments: a retried update is harmless.
    for (const [name, value] of Object.entries(update.events)) {
      if (!Object.hasOwn(events, name)) {
        if (count >= contextLimits.eventNamesMax) {
          rejected.push({ scope: 'events', key: name, reason: 'limit_exceeded' })
          continue
        }
        count++
      }
      events[name] = value
    }
    next.events = events
  }
  return { view: next, rejected }
}

/**
 * The update that carries a view's facts of at most `maxTrust` over to another view (snapshots
 * and event counts included), for when two visitors become one.
 */
export function contextUpdateOf(view: ContextView, maxTrust: TrustLevel): ContextUpdate {
  const values = (entries: ContextEntries): ContextValues => {
    const out: ContextValues = {}
    for (const [key, entry] of Object.entries(entries)) {
      if (trustAtLeast(maxTrust, entry.trust)) out[key] = entry.value
    }
    return out
  }
  const update: ContextUpdate = {
    visitor: values(view.visitor),
    session: values(view.session),
    page: values(view.page),
    conversation: values(view.conversation),
    observed: values(view.observed),
    events: { ...view.events },
  }
  if (view.cart !== null) update.cart = view.cart
  if (view.page_view !== null) update.page_view = view.page_view
  return update
}

/** A typed failure of context input: malformed (`invalid_argument`) or over a limit. */
export interface ContextInputError {
  readonly code: 'invalid_argument' | 'limit_exceeded'
  /** Names the path of the offending part, such as `visitor.plan: ...`. */
  readonly message: string
}

export type ContextDecoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ContextInputError }

type Issue = z.core.$ZodIssue

/** The issue that says most: inside a union, the branch that got furthest (not a type mismatch). */
function deepest(
  issue: Issue,
  path: readonly PropertyKey[],
): { issue: Issue; path: PropertyKey[] } {
  const here = [...path, ...issue.path]
  if (issue.code === 'invalid_union') {
    for (const branch of issue.errors) {
      const telling = branch.find((i) => i.code !== 'invalid_type')
      if (telling) return deepest(telling, here)
    }
  }
  if (issue.code === 'invalid_key' || issue.code === 'invalid_element') {
    const inner = issue.issues[0]
    if (inner) return deepest(inner, here)
  }
  return { issue, path: here }
}

function describe(issue: Issue): string {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string'
        ? `at most ${issue.maximum} characters`
        : issue.message && issue.message !== 'Invalid input'
          ? issue.message
          : `at most ${issue.maximum}`
    case 'too_small':
      return `at least ${issue.minimum}`
    case 'invalid_type':
      return `expected ${issue.expected}`
    case 'invalid_format':
      return 'not a valid key (a letter, then letters, digits or _)'
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length > 1 ? 'keys' : 'key'} ${issue.keys.join(', ')}`
    case 'invalid_union':
      return 'expected a string, number, boolean or null'
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'invalid'
  }
}

/**
 * Validates untrusted input against a context schema; never throws, errors are typed. Use it
 * rather than `safeParse`: it also refuses `__proto__` keys, which the schemas alone drop.
 */
export function decodeContext<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
): ContextDecoded<z.output<S>> {
  const reserved = reservedKeyPath(input)
  if (reserved !== undefined) {
    return { ok: false, error: { code: 'invalid_argument', message: `${reserved}: reserved key` } }
  }
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const first = result.error.issues[0]
  if (!first) return { ok: false, error: { code: 'invalid_argument', message: 'invalid input' } }
  const { issue, path } = deepest(first, [])
  const where = path.length > 0 ? `${path.map(String).join('.')}: ` : ''
  return {
    ok: false,
    error: {
      code: issue.code === 'too_big' ? 'limit_exceeded' : 'invalid_argument',
      message: `${where}${describe(issue)}`,
    },
  }
}

/** Body of `POST /api/v1/widget/conversations`: context given at the start, and the rule that opened it. */
export const ConversationStart = /* @__PURE__ */ z.strictObject({
  context: z.optional(ContextUpdate),
  trigger: z.optional(ConversationTrigger),
})
export type ConversationStart = z.infer<typeof ConversationStart>

/** Body of `POST /api/v1/widget/identify`: the JWT minted by the shop's backend. */
export const IdentifyRequest = /* @__PURE__ */ z.strictObject({
  token: z.string().check(z.minLength(1), z.maxLength(8 * 1024)),
})
export type IdentifyRequest = z.infer<typeof IdentifyRequest>

/** Answer of `POST /api/v1/widget/identify`. */
export const IdentifyResult = /* @__PURE__ */ z.object({
  visitorId: z.string(),
  /** Present when this device now acts as the visitor already known under the token's `sub`. */
  token: z.optional(z.string()),
  /** The facts the token verified (email, name, attributes); `null` removed one. */
  verified: z.record(z.string(), ContextValue),
  /** When the shop's token expires (epoch ms): identify again before then. */
  expiresAt: z.number(),
})
export type IdentifyResult = z.infer<typeof IdentifyResult>
