import * as z from 'zod/mini'
import { commerceLimits } from './commerce/commerce-limits.js'
import { Text, Url } from './commerce/fields.js'
import { PageProduct, PageType } from './commerce/page-snapshot.js'
import { ContextScope, ContextValues, IdentifyRequest } from './context.js'
import { HostEventName } from './host-events.js'
import type { ConsentCategory, HostCommand } from './host-names.js'
import { chatLimits } from './limits.js'
import { RuleMatch } from './rules/explanation.js'
import { RuleSet } from './rules/rule.js'
import { ruleLimits } from './rules/rule-limits.js'

// The host API's input: what a shop's page may pass to the widget, command by command. Context
// values, page snapshots and rule matches reuse the schemas of context.ts, commerce/ and rules/,
// so that what the widget accepts is what the server accepts.

/** Limits of host input that no other schema sets (docs/host-api.md, "Limits"). */
export const hostLimits = {
  /** Characters in a proactive message, as a rule's `show_message` action allows. */
  proactiveTextMax: ruleLimits.messageTextMax,
  /** Characters in the author of a proactive message. */
  proactiveAuthorMax: ruleLimits.authorNameMax,
  /** Characters in the title of the chat panel. */
  titleMax: chatLimits.displayNameMax,
  /** Characters `prefill` puts into the composer: a message's limit. */
  prefillMax: chatLimits.messageTextMax,
} as const

export const ConsentValue = /* @__PURE__ */ z.enum(['granted', 'denied'])
export type ConsentValue = z.infer<typeof ConsentValue>
export type ConsentState = Readonly<Record<ConsentCategory, ConsentValue>>

/** `required`: nothing stored, no connection, until `consent()` grants functionality_storage. */
export const ConsentMode = /* @__PURE__ */ z.enum(['required', 'not_required'])
export type ConsentMode = z.infer<typeof ConsentMode>

/** What `consent()` takes: any of the categories; the others keep their value. */
export const ConsentUpdate = /* @__PURE__ */ z.strictObject({
  ad_storage: z.optional(ConsentValue),
  ad_user_data: z.optional(ConsentValue),
  ad_personalization: z.optional(ConsentValue),
  analytics_storage: z.optional(ConsentValue),
  functionality_storage: z.optional(ConsentValue),
  personalization_storage: z.optional(ConsentValue),
  security_storage: z.optional(ConsentValue),
})
export type ConsentUpdate = z.infer<typeof ConsentUpdate>

/** A short label: trimmed, 1 to `max` characters. */
const Label = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max))

/** What `init` takes (the script tag also reads `data-consent` and `data-title`). */
export const InitOptions = /* @__PURE__ */ z.strictObject({
  /** @default 'not_required' */
  consent: z.optional(ConsentMode),
  /** Title of the chat panel. @default 'Chat with us' */
  title: z.optional(Label(hostLimits.titleMax)),
  /** Forward chat events to Segment (`analytics.track`) and Google Tag Manager (`dataLayer`). */
  forward: z.optional(
    z.strictObject({ segment: z.optional(z.boolean()), dataLayer: z.optional(z.boolean()) }),
  ),
  /** Record the landing page and single-page-app navigations as page views. @default true */
  trackPages: z.optional(z.boolean()),
  /** Engagement rules to run on this page (docs/rules.md). @default none */
  rules: z.optional(RuleSet),
})
export type InitOptions = z.infer<typeof InitOptions>

/**
 * What `page()` takes; url, title and referrer default to those captured when it was called.
 * The widget makes a PageSnapshot of it (commerce/page-snapshot.ts).
 */
export const PageViewInput = /* @__PURE__ */ z.strictObject({
  url: z.optional(Url),
  title: z.optional(Text),
  referrer: z.optional(z.string().check(z.maxLength(commerceLimits.urlMax))),
  type: z.optional(PageType),
  product: z.optional(PageProduct),
})
export type PageViewInput = z.infer<typeof PageViewInput>

/** Names that would reach an object's prototype; a JSON `__proto__` key is an own property. */
function hasProtoKey(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')
}

/** What `set` takes: ContextValues, refusing a JSON `__proto__` key that a record would drop. */
export const SetValues = /* @__PURE__ */ z.pipe(
  z.custom<object>((v) => !hasProtoKey(v), '__proto__ is a reserved key'),
  ContextValues,
)

/** A JWT minted by the shop's backend (docs/identity.md), as IdentifyRequest bounds it. */
export const IdentityToken = /* @__PURE__ */ IdentifyRequest.shape.token.check(
  z.regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, 'expected a JWT (header.payload.signature)'),
)

/** Returns a fresh identity JWT; called again shortly before the last one expires. */
export type TokenProvider = () => string | Promise<string>

const isFunction = (v: unknown) => typeof v === 'function'

/** What `identify` takes: a JWT, or a function that returns one (sync or async). */
export const IdentifyInput = /* @__PURE__ */ z.union(
  [IdentityToken, z.custom<TokenProvider>(isFunction)],
  'expected a JWT string or a function that returns one',
)

/** Text put into the composer by `prefill` (empty clears it). */
export const PrefillText = /* @__PURE__ */ z.string().check(z.maxLength(hostLimits.prefillMax))

/** A proactive message from an engagement rule, rendered as text only. */
export const ProactiveMessage = /* @__PURE__ */ z.strictObject({
  text: Label(hostLimits.proactiveTextMax),
  author: z.optional(Label(hostLimits.proactiveAuthorMax)),
})
export type ProactiveMessage = z.infer<typeof ProactiveMessage>

/** The rule match a proactive message carries to the conversation it starts (rules/explanation.ts). */
export const ProactiveMatch = RuleMatch

const Handler = z.custom<(payload: never) => void>(isFunction, 'expected a function')

/**
 * Each command's arguments, by position: [name for messages, schema]. `track` is validated by
 * the commerce normalizer (docs/events.md), which also accepts GA4 names and shapes.
 */
export const hostCommandArgs = {
  init: [['options', z.optional(InitOptions)]],
  identify: [['token', IdentifyInput]],
  set: [
    ['scope', ContextScope],
    ['values', SetValues],
  ],
  page: [['page', z.optional(PageViewInput)]],
  track: [
    ['event', z.unknown()],
    ['properties', z.unknown()],
  ],
  // Checked by setCart (docs/events.md, "Snapshots"), which also derives value and item count.
  cart: [['cart', z.unknown()]],
  open: [],
  close: [],
  toggle: [],
  prefill: [['text', PrefillText]],
  on: [
    ['event', HostEventName],
    ['handler', Handler],
  ],
  once: [
    ['event', HostEventName],
    ['handler', Handler],
  ],
  off: [
    ['event', HostEventName],
    ['handler', z.optional(Handler)],
  ],
  consent: [['categories', ConsentUpdate]],
  reset: [],
} as const satisfies Record<HostCommand, ReadonlyArray<readonly [string, z.ZodMiniType]>>

/** The outcome of validating host input: the value, or a typed error naming the argument and path. */
export type HostDecoded<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false
      readonly code: 'invalid_argument' | 'limit_exceeded'
      readonly message: string
    }

type Issue = z.core.$ZodIssue

// zod/mini ships no messages (they would cost bytes in the browser): they are written here
// from the issue's fields, stable whatever locale the host page configured.
function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : issue.message && issue.message !== 'Invalid input'
          ? issue.message
          : `must be at most ${issue.maximum}`
    case 'too_small':
      return issue.origin === 'string' && issue.minimum === 1
        ? 'must not be empty'
        : `must be at least ${issue.minimum}`
    case 'invalid_type':
      return `expected ${issue.expected}`
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
    case 'invalid_format':
      return issue.message && issue.message !== 'Invalid input'
        ? issue.message
        : `expected ${issue.format === 'regex' ? 'a letter, then letters, digits or _' : issue.format}`
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'invalid'
  }
}

/** The issue that explains a failure best: inside keys and unions, the most specific one. */
function innermost(issue: Issue, path: PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const at = [...path, ...issue.path]
  if ((issue.code === 'invalid_key' || issue.code === 'invalid_element') && issue.issues[0]) {
    return innermost(issue.issues[0], at)
  }
  if (issue.code === 'invalid_union') {
    // A branch that got past the type check says more than "expected one of".
    for (const branch of issue.errors) {
      const first = branch[0]
      if (first && first.code !== 'invalid_type' && first.code !== 'custom') {
        return innermost(first, at)
      }
    }
  }
  return { issue, path: at }
}

const isLimit = (issue: Issue) =>
  issue.code === 'too_big' ||
  (issue.code === 'custom' &&
    (issue.params?.code === 'limit_exceeded' || issue.params?.limit === true))

/** Validates host input against a schema; never throws. Limits fail as `limit_exceeded`. */
export function decodeHost<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  name = 'value',
): HostDecoded<z.output<S>> {
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const first = result.error.issues[0]
  if (!first) return { ok: false, code: 'invalid_argument', message: `${name}: invalid` }
  const { issue, path } = innermost(first, [])
  return {
    ok: false,
    code: isLimit(issue) ? 'limit_exceeded' : 'invalid_argument',
    message: `${[name, ...path.map(String)].join('.')}: ${describeIssue(issue)}`,
  }
}

/** A host call, validated: a known command and its arguments. */
export interface HostCall {
  readonly command: HostCommand
  readonly args: readonly unknown[]
}

/** Validates a host call (a known command, its arguments); never throws. */
export function decodeHostCall(command: unknown, args: readonly unknown[]): HostDecoded<HostCall> {
  if (typeof command !== 'string' || !Object.hasOwn(hostCommandArgs, command)) {
    const named = typeof command === 'string' ? command : typeof command
    return {
      ok: false,
      code: 'invalid_argument',
      message: `unknown command ${JSON.stringify(named)}`,
    }
  }
  const name = command as HostCommand
  const specs: ReadonlyArray<readonly [string, z.ZodMiniType]> = hostCommandArgs[name]
  if (args.length > specs.length) {
    return {
      ok: false,
      code: 'invalid_argument',
      message: `${name}: takes at most ${specs.length} argument${specs.length === 1 ? '' : 's'}, got ${args.length}`,
    }
  }
  const values: unknown[] = []
  for (const [i, [argName, schema]] of specs.entries()) {
    const decoded = decodeHost(schema, args[i], `${name}(${argName})`)
    if (!decoded.ok) return decoded
    values.push(decoded.value)
  }
  return { ok: true, value: { command: name, args: values } }
}
