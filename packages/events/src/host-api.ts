import * as z from 'zod/mini'
import { HostEventName, hostEventNames, type RuleMatchLike } from './host-events.js'
import { chatLimits } from './limits.js'

// The host API's input: what a shop's page may pass to the widget, command by command.
//
// Two forms of one specification live here. The zod schemas (below) are the reference: they give
// the TypeScript types, the docs and the JSON Schema. The widget's loader cannot carry zod (a
// bare z.string() costs 3 KB gzip, objects, unions and records 6.7 KB, of a 10 KB first-load
// budget), so it validates with `checkHostCall`, a small checker built from the same constants
// and helpers; host-api.test.ts proves with fast-check that both accept and refuse the same
// inputs, with the same error codes and values. The schemas are built lazily and marked pure so
// that a bundle that only checks (the loader) drops them and zod with them.

/** Limits on what a host page may pass to the widget, enforced by both forms. */
export const hostLimits = {
  /** Characters in a context key (`set`), which also must match `[a-z][a-z0-9_]*` (any case). */
  keyLength: 64,
  /** Keys per context scope, after merging. */
  keysPerScope: 50,
  /** Characters in a string context value. */
  valueLength: 1_000,
  /** Characters in an event name (`track`). */
  eventNameLength: 100,
  /** Distinct event names counted per session. */
  eventNames: 100,
  /** Bytes of an event's properties, as JSON. */
  propertiesBytes: 8_192,
  /** Nesting of objects and arrays in event properties. */
  propertiesDepth: 5,
  /** Characters in a URL or referrer. */
  urlLength: 2_048,
  /** Characters in a page title. */
  titleLength: 300,
  /** Characters in the product fields of a page view (id, sku, variant, category, brand). */
  productFieldLength: 200,
  /** Characters in an identity JWT. */
  tokenLength: 4_096,
  /** Characters in a proactive message. */
  proactiveTextLength: 500,
  /** Bytes of a rule match (as JSON) attached to a conversation. */
  ruleMatchBytes: 16_384,
} as const

/**
 * Every error code a host call can reject with (`CausetteError.code`), and whether trying the
 * same call again later can succeed. docs/host-api.md lists them all.
 */
export const HostErrorCodes = {
  /** Unknown command, wrong arguments; the message names the argument and the path. */
  invalid_argument: { retryable: false },
  /** An argument is over a documented limit (`hostLimits`). */
  limit_exceeded: { retryable: false },
  /** Not possible in the widget's state: `init` twice, `open` before `init`, after `destroy`. */
  invalid_state: { retryable: false },
  /** Needs a consent category that is denied; retry after `consent()` grants it. */
  consent_required: { retryable: true },
  /** Superseded by `reset()`, a later `identify()`, or `destroy()` while it was running. */
  cancelled: { retryable: false },
  /** The server could not be reached. */
  network: { retryable: true },
  /** Too many requests; the server asked to wait. */
  rate_limited: { retryable: true },
  /** The server no longer knows this visitor; the widget starts a new one on the next call. */
  unauthorized: { retryable: true },
  /** The server refused the request for good (site unknown, origin not allowed). */
  rejected: { retryable: false },
  /** The server failed; try again later. */
  server_error: { retryable: true },
  /** The identity token has expired; a token provider is asked for a new one once. */
  identity_expired: { retryable: true },
  /** The JWT's signature does not verify with the site's key. */
  identity_bad_signature: { retryable: false },
  /** The JWT has no `sub` claim. */
  identity_missing_sub: { retryable: false },
  /** The JWT's `kid` names no key of the site. */
  identity_unknown_key: { retryable: false },
  /** The JWT's algorithm is not HS256 or ES256 (`none` included). */
  identity_bad_algorithm: { retryable: false },
  /** The token is not a well-formed JWT. */
  identity_malformed: { retryable: false },
  /** The site has no identity keys configured on the server. */
  identity_not_configured: { retryable: false },
  /** The token provider threw, timed out, or returned something that is not a JWT. */
  identity_provider_failed: { retryable: true },
  /** A fault in the widget itself; the message says what (please report it). */
  internal: { retryable: false },
} as const satisfies Record<string, { readonly retryable: boolean }>

export type HostErrorCode = keyof typeof HostErrorCodes

export const hostCommands = [
  'init',
  'identify',
  'set',
  'page',
  'track',
  'open',
  'close',
  'toggle',
  'prefill',
  'on',
  'once',
  'off',
  'consent',
  'reset',
] as const
export type HostCommand = (typeof hostCommands)[number]

export const contextScopes = ['visitor', 'session', 'page', 'conversation'] as const
export type ContextScope = (typeof contextScopes)[number]

/** Google Consent Mode v2 categories; docs/host-api.md says which one gates what. */
export const consentCategories = [
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'analytics_storage',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
] as const
export type ConsentCategory = (typeof consentCategories)[number]
export const consentValues = ['granted', 'denied'] as const
export type ConsentValue = (typeof consentValues)[number]
export type ConsentState = Readonly<Record<ConsentCategory, ConsentValue>>
/** `required`: nothing stored, no connection, until `consent()` grants functionality_storage. */
export const consentModes = ['required', 'not_required'] as const
export type ConsentMode = (typeof consentModes)[number]

export const pageTypes = [
  'home',
  'category',
  'product',
  'search',
  'cart',
  'checkout',
  'confirmation',
  'account',
  'other',
] as const
export type PageType = (typeof pageTypes)[number]

/** Returns a fresh identity JWT; called again shortly before the last one expires. */
export type TokenProvider = () => string | Promise<string>

/** The outcome of validating host input: the value, or a typed error naming the argument and path. */
export type HostDecoded<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false
      readonly code: 'invalid_argument' | 'limit_exceeded'
      readonly message: string
    }

// ---- shared rules ----

/** Names refused wherever a key or a path is accepted. */
export const reservedKeys: readonly string[] = ['__proto__', 'constructor', 'prototype']
const keyPattern = /^[a-z][a-z0-9_]*$/i
const keyText = 'expected a letter, then letters, digits or _'
const jwtPattern = /^[\w-]+\.[\w-]+\.[\w-]+$/
const jwtText = 'expected a JWT (header.payload.signature)'
const currencyPattern = /^[a-z]{3}$/i
const currencyText = 'expected an ISO 4217 code'
const urlText = 'expected an absolute http(s) URL'
const valueText = 'expected a string, a finite number, a boolean or null'
const identifyText = 'expected a JWT string or a function that returns one'
const objectText = 'expected an object without __proto__'
const tooManyKeys = `more than ${hostLimits.keysPerScope} keys`
const reservedText = 'is a reserved name'

const own = (value: object, key: string) => Object.hasOwn(value, key)

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol)
  } catch {
    return false
  }
}

/** What is wrong with a JSON-like value, if anything: not JSON, too deep, or a reserved key. */
function jsonProblem(value: unknown, depth: number, path: PropertyKey[]): Problem | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : problem(path, 'expected a finite number')
  }
  if (depth >= hostLimits.propertiesDepth) {
    return problem(path, `nested deeper than ${hostLimits.propertiesDepth} levels`)
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = jsonProblem(value[i], depth + 1, [...path, i])
      if (found) return found
    }
    return undefined
  }
  if (!isPlainObject(value)) {
    return problem(path, 'expected JSON: string, number, boolean, null, array or object')
  }
  for (const key of Object.keys(value)) {
    if (reservedKeys.includes(key)) return problem([...path, key], reservedText)
    const found = jsonProblem(value[key], depth + 1, [...path, key])
    if (found) return found
  }
  return own(value, '__proto__') ? problem([...path, '__proto__'], reservedText) : undefined
}

/** A plain JSON object of at most `maxBytes` as JSON, with no reserved key at any depth. */
function jsonObjectProblem(value: unknown, maxBytes: number): Problem | undefined {
  if (!isPlainObject(value)) return problem([], 'expected an object')
  const found = jsonProblem(value, 0, [])
  if (found) return found
  return JSON.stringify(value).length > maxBytes
    ? problem([], `larger than ${maxBytes} bytes as JSON`, true)
    : undefined
}

// ---- the loader's checker ----

interface Problem {
  readonly limit: boolean
  readonly path: readonly PropertyKey[]
  readonly text: string
}
const problem = (path: readonly PropertyKey[], text: string, limit = false): Problem => ({
  limit,
  path,
  text,
})

/** A compact validator of one value: its (possibly trimmed) value, or the first problem. */
export type HostCheck<T> = (
  value: unknown,
  path: readonly PropertyKey[],
) => { readonly value: T } | Problem

const failed = (result: { readonly value: unknown } | Problem): result is Problem =>
  'text' in result

function str(
  max: number,
  rules: {
    readonly min?: number
    readonly trim?: boolean
    readonly pattern?: RegExp
    readonly patternText?: string
    readonly test?: (value: string) => boolean
    readonly testText?: string
    readonly upper?: boolean
  } = {},
): HostCheck<string> {
  return (value, path) => {
    if (typeof value !== 'string') return problem(path, 'expected string')
    const text = rules.trim ? value.trim() : value
    if (rules.min && text.length < rules.min) {
      return problem(path, rules.min === 1 ? 'must not be empty' : `must be at least ${rules.min}`)
    }
    if (text.length > max) return problem(path, `must be at most ${max} characters`, true)
    if (rules.pattern && !rules.pattern.test(text)) {
      return problem(path, rules.patternText ?? 'invalid format')
    }
    if (rules.test && !rules.test(text)) return problem(path, rules.testText ?? 'invalid')
    return { value: rules.upper ? text.toUpperCase() : text }
  }
}

const optional =
  <T>(check: HostCheck<T>): HostCheck<T | undefined> =>
  (value, path) =>
    value === undefined ? { value: undefined } : check(value, path)

const oneOf =
  <const T extends readonly string[]>(values: T): HostCheck<T[number]> =>
  (value, path) =>
    values.includes(value as string)
      ? { value: value as T[number] }
      : problem(path, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`)

const bool: HostCheck<boolean> = (value, path) =>
  typeof value === 'boolean' ? { value } : problem(path, 'expected boolean')

const finite: HostCheck<number> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? { value } : problem(path, 'expected number')

const anything: HostCheck<unknown> = (value) => ({ value })

const fn =
  <T>(text: string): HostCheck<T> =>
  (value, path) =>
    typeof value === 'function' ? { value: value as T } : problem(path, text)

function object<T>(
  shape: { readonly [K in keyof T]: HostCheck<T[K]> },
  strict: boolean,
): HostCheck<T> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return problem(path, 'expected object')
    }
    const input = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const [key, check] of Object.entries(shape) as Array<[string, HostCheck<unknown>]>) {
      const result = check(input[key], [...path, key])
      if (failed(result)) return result
      if (result.value !== undefined) out[key] = result.value
    }
    const unknown = strict ? Object.keys(input).filter((key) => !own(shape, key)) : []
    if (unknown.length > 0) {
      return problem(path, `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}`)
    }
    return { value: out as T }
  }
}

const text = (max: number) => str(max, { trim: true, min: 1 })
const httpUrl = str(hostLimits.urlLength, { test: isHttpUrl, testText: urlText })

const contextKey = str(hostLimits.keyLength, {
  pattern: keyPattern,
  patternText: keyText,
  test: (key) => !reservedKeys.includes(key),
  testText: reservedText,
})

const valueString = str(hostLimits.valueLength)
const contextValue: HostCheck<ContextValue> = (value, path) => {
  if (typeof value === 'string') return valueString(value, path)
  return value === null ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
    ? { value }
    : problem(path, valueText)
}

const contextValues: HostCheck<ContextValues> = (value, path) => {
  if (!isPlainObject(value) || own(value, '__proto__')) return problem(path, objectText)
  const out: Record<string, ContextValue> = {}
  for (const key of Object.keys(value)) {
    const name = contextKey(key, [...path, key])
    if (failed(name)) return name
    const entry = contextValue(value[key], [...path, key])
    if (failed(entry)) return entry
    out[key] = entry.value
  }
  return Object.keys(out).length > hostLimits.keysPerScope
    ? problem(path, tooManyKeys, true)
    : { value: out }
}

const jsonObject =
  <T>(maxBytes: number): HostCheck<T> =>
  (value, path) => {
    const found = jsonObjectProblem(value, maxBytes)
    return found ? { ...found, path: [...path, ...found.path] } : { value: value as T }
  }

const consentValue = oneOf(consentValues)
const handler = fn<(payload: never) => void>('expected a function')
const eventName = oneOf(hostEventNames)
const identityToken = str(hostLimits.tokenLength, { pattern: jwtPattern, patternText: jwtText })

/** The compact checks the widget uses besides whole calls. */
export const hostChecks = {
  contextValues,
  identityToken,
  consentMode: oneOf(consentModes),
  proactiveMessage: object<ProactiveMessage>(
    {
      text: text(hostLimits.proactiveTextLength),
      author: optional(text(chatLimits.displayNameMax)),
    },
    true,
  ),
  ruleMatch: jsonObject<RuleMatchLike>(hostLimits.ruleMatchBytes),
  trackName: text(hostLimits.eventNameLength),
  trackProperties: jsonObject<Readonly<Record<string, unknown>>>(hostLimits.propertiesBytes),
} as const

const hostCallChecks: Record<HostCommand, ReadonlyArray<readonly [string, HostCheck<unknown>]>> = {
  init: [
    [
      'options',
      optional(
        object<InitOptions>(
          {
            consent: optional(hostChecks.consentMode),
            title: optional(text(chatLimits.displayNameMax)),
            forward: optional(object({ segment: optional(bool), dataLayer: optional(bool) }, true)),
            trackPages: optional(bool),
          },
          true,
        ),
      ),
    ],
  ],
  identify: [
    [
      'token',
      (value, path) =>
        typeof value === 'function'
          ? { value }
          : typeof value === 'string'
            ? identityToken(value, path)
            : problem(path, identifyText),
    ],
  ],
  set: [
    ['scope', oneOf(contextScopes)],
    ['values', contextValues],
  ],
  page: [
    [
      'page',
      optional(
        object<PageViewInput>(
          {
            url: optional(httpUrl),
            title: optional(str(hostLimits.titleLength)),
            referrer: optional(str(hostLimits.urlLength)),
            type: optional(oneOf(pageTypes)),
            product: optional(
              object<PageProduct>(
                {
                  product_id: text(hostLimits.productFieldLength),
                  sku: optional(text(hostLimits.productFieldLength)),
                  name: optional(text(hostLimits.titleLength)),
                  price: optional(finite),
                  currency: optional(
                    str(Number.POSITIVE_INFINITY, {
                      pattern: currencyPattern,
                      patternText: currencyText,
                      upper: true,
                    }),
                  ),
                  variant: optional(text(hostLimits.productFieldLength)),
                  category: optional(text(hostLimits.productFieldLength)),
                  brand: optional(text(hostLimits.productFieldLength)),
                  url: optional(httpUrl),
                  image_url: optional(httpUrl),
                },
                false,
              ),
            ),
          },
          true,
        ),
      ),
    ],
  ],
  track: [
    ['event', anything],
    ['properties', anything],
  ],
  open: [],
  close: [],
  toggle: [],
  prefill: [['text', str(chatLimits.messageTextMax)]],
  on: [
    ['event', eventName],
    ['handler', handler],
  ],
  once: [
    ['event', eventName],
    ['handler', handler],
  ],
  off: [
    ['event', eventName],
    ['handler', optional(handler)],
  ],
  consent: [
    [
      'categories',
      object<ConsentUpdate>(
        {
          ad_storage: optional(consentValue),
          ad_user_data: optional(consentValue),
          ad_personalization: optional(consentValue),
          analytics_storage: optional(consentValue),
          functionality_storage: optional(consentValue),
          personalization_storage: optional(consentValue),
          security_storage: optional(consentValue),
        },
        true,
      ),
    ],
  ],
  reset: [],
}

const where = (name: string, path: readonly PropertyKey[]) => [name, ...path.map(String)].join('.')

/** Validates one value with a compact check; never throws. */
export function checkHost<T>(check: HostCheck<T>, value: unknown, name = 'value'): HostDecoded<T> {
  const result = check(value, [])
  return failed(result)
    ? {
        ok: false,
        code: result.limit ? 'limit_exceeded' : 'invalid_argument',
        message: `${where(name, result.path)}: ${result.text}`,
      }
    : { ok: true, value: result.value }
}

function arity(command: string, max: number, got: number): HostDecoded<never> {
  return {
    ok: false,
    code: 'invalid_argument',
    message: `${command}: takes at most ${max} argument${max === 1 ? '' : 's'}, got ${got}`,
  }
}

function unknownCommand(command: unknown): HostDecoded<never> {
  return {
    ok: false,
    code: 'invalid_argument',
    message: `unknown command ${JSON.stringify(typeof command === 'string' ? command : typeof command)}`,
  }
}

/** A host call, validated: a known command and its arguments. */
export interface HostCall {
  readonly command: HostCommand
  readonly args: readonly unknown[]
}

/** Validates a host call (command and arguments) without zod; what the loader runs. Never throws. */
export function checkHostCall(command: unknown, args: readonly unknown[]): HostDecoded<HostCall> {
  if (typeof command !== 'string' || !own(hostCallChecks, command)) return unknownCommand(command)
  const name = command as HostCommand
  const specs = hostCallChecks[name]
  if (args.length > specs.length) return arity(name, specs.length, args.length)
  const values: unknown[] = []
  for (const [i, [argName, check]] of specs.entries()) {
    const result = checkHost(check, args[i], `${name}(${argName})`)
    if (!result.ok) return result
    values.push(result.value)
  }
  return { ok: true, value: { command: name, args: values } }
}

// ---- the reference schemas ----

/** A refinement whose failure is a limit (`limit_exceeded`), not a malformed value. */
const limit = <T>(ok: (value: T) => boolean, message: string) =>
  z.refine<T>(ok, { message, params: { limit: true } })

const Text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max))

/** Checks a JSON object with the same rules as the compact checker, reporting its problem. */
const JsonObject = <T extends object>(maxBytes: number) =>
  z.custom<T>().check(
    z.check((ctx) => {
      const found = jsonObjectProblem(ctx.value, maxBytes)
      if (found) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          path: [...found.path],
          message: found.text,
          ...(found.limit ? { params: { limit: true } } : {}),
        })
      }
    }),
  )

/** A context attribute name: `[a-z][a-z0-9_]*` (any case), at most 64 characters, not reserved. */
export const ContextKey = /* @__PURE__ */ z.lazy(() =>
  z.string().check(
    z.maxLength(hostLimits.keyLength),
    z.regex(keyPattern, keyText),
    z.refine((key) => !reservedKeys.includes(key), reservedText),
  ),
)

/** A context value: a JSON primitive. `null` deletes the key. */
export const ContextValue = /* @__PURE__ */ z.lazy(() =>
  z.union(
    [z.string().check(z.maxLength(hostLimits.valueLength)), z.number(), z.boolean(), z.null()],
    valueText,
  ),
)
export type ContextValue = z.infer<typeof ContextValue>

/** Attributes for one context scope, at most 50 keys. */
export const ContextValues = /* @__PURE__ */ z.lazy(() =>
  z.pipe(
    // A JSON `__proto__` key is an own property that a record would drop in silence: refuse it.
    z.custom<object>((v) => isPlainObject(v) && !own(v, '__proto__'), objectText),
    z
      .record(ContextKey, ContextValue)
      .check(
        limit<Record<string, ContextValue>>(
          (values) => Object.keys(values).length <= hostLimits.keysPerScope,
          tooManyKeys,
        ),
      ),
  ),
)
export type ContextValues = Readonly<Record<string, ContextValue>>

/** Where a context value lives: the visitor (every visit), this session, this page, or the conversation. */
export const ContextScope = /* @__PURE__ */ z.lazy(() => z.enum(contextScopes))

export const ConsentValue = /* @__PURE__ */ z.lazy(() => z.enum(consentValues))
export const ConsentMode = /* @__PURE__ */ z.lazy(() => z.enum(consentModes))

/** What `consent()` takes: any of the categories; the others keep their value. */
export const ConsentUpdate = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    ad_storage: z.optional(ConsentValue),
    ad_user_data: z.optional(ConsentValue),
    ad_personalization: z.optional(ConsentValue),
    analytics_storage: z.optional(ConsentValue),
    functionality_storage: z.optional(ConsentValue),
    personalization_storage: z.optional(ConsentValue),
    security_storage: z.optional(ConsentValue),
  }),
)
export type ConsentUpdate = z.infer<typeof ConsentUpdate>

/** What `init` takes (the script tag also reads `data-consent` and `data-title`). */
export const InitOptions = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    /** @default 'not_required' */
    consent: z.optional(ConsentMode),
    /** Title of the chat panel. @default 'Chat with us' */
    title: z.optional(Text(chatLimits.displayNameMax)),
    /** Forward chat events to Segment (`analytics.track`) and Google Tag Manager (`dataLayer`). */
    forward: z.optional(
      z.strictObject({ segment: z.optional(z.boolean()), dataLayer: z.optional(z.boolean()) }),
    ),
    /** Record the landing page and single-page-app navigations as page views. @default true */
    trackPages: z.optional(z.boolean()),
  }),
)
export type InitOptions = z.infer<typeof InitOptions>

const HttpUrl = () =>
  z.string().check(z.maxLength(hostLimits.urlLength), z.refine(isHttpUrl, urlText))

export const PageType = /* @__PURE__ */ z.lazy(() => z.enum(pageTypes))

/** The product in view on a product page (Segment e-commerce v2 names). */
export const PageProduct = /* @__PURE__ */ z.lazy(() =>
  z.object({
    product_id: Text(hostLimits.productFieldLength),
    sku: z.optional(Text(hostLimits.productFieldLength)),
    name: z.optional(Text(hostLimits.titleLength)),
    price: z.optional(z.number()),
    currency: z.optional(z.string().check(z.regex(currencyPattern, currencyText), z.toUpperCase())),
    variant: z.optional(Text(hostLimits.productFieldLength)),
    category: z.optional(Text(hostLimits.productFieldLength)),
    brand: z.optional(Text(hostLimits.productFieldLength)),
    url: z.optional(HttpUrl()),
    image_url: z.optional(HttpUrl()),
  }),
)
export type PageProduct = z.infer<typeof PageProduct>

/** What `page()` takes; url, title and referrer default to those captured when it was called. */
export const PageViewInput = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    url: z.optional(HttpUrl()),
    title: z.optional(z.string().check(z.maxLength(hostLimits.titleLength))),
    referrer: z.optional(z.string().check(z.maxLength(hostLimits.urlLength))),
    type: z.optional(PageType),
    product: z.optional(PageProduct),
  }),
)
export type PageViewInput = z.infer<typeof PageViewInput>

/** An event name for `track`: Segment e-commerce v2 (`Product Viewed`), GA4 (`view_item`) or yours. */
export const TrackName = /* @__PURE__ */ z.lazy(() => Text(hostLimits.eventNameLength))

/** Event properties: JSON, at most 8 KiB and 5 levels deep, no reserved key. */
export const TrackProperties = /* @__PURE__ */ z.lazy(() =>
  JsonObject<Readonly<Record<string, unknown>>>(hostLimits.propertiesBytes),
)

/** A JWT minted by the shop's backend (docs/identity.md). */
export const IdentityToken = /* @__PURE__ */ z.lazy(() =>
  z.string().check(z.maxLength(hostLimits.tokenLength), z.regex(jwtPattern, jwtText)),
)

const isFunction = (v: unknown) => typeof v === 'function'

/** What `identify` takes: a JWT, or a function that returns one (sync or async). */
export const IdentifyInput = /* @__PURE__ */ z.lazy(() =>
  z.union([IdentityToken, z.custom<TokenProvider>(isFunction)], identifyText),
)

/** Text put into the composer by `prefill` (empty clears it). */
export const PrefillText = /* @__PURE__ */ z.lazy(() =>
  z.string().check(z.maxLength(chatLimits.messageTextMax)),
)

/** A proactive message from an engagement rule, rendered as text only. */
export const ProactiveMessage = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    text: Text(hostLimits.proactiveTextLength),
    author: z.optional(Text(chatLimits.displayNameMax)),
  }),
)
export type ProactiveMessage = z.infer<typeof ProactiveMessage>

/** The rule match that travels with a conversation started from a proactive message. */
export const RuleMatchInput = /* @__PURE__ */ z.lazy(() =>
  JsonObject<RuleMatchLike>(hostLimits.ruleMatchBytes),
)

const Handler = () => z.custom<(payload: never) => void>(isFunction, 'expected a function')

/**
 * Each command's arguments, by position: [name for messages, schema]. `track` is validated by
 * the widget's `normalizeTrack` (by default with TrackName and TrackProperties).
 */
export const hostCommandArgs = /* @__PURE__ */ (() =>
  ({
    init: [['options', z.optional(InitOptions)]],
    identify: [['token', IdentifyInput]],
    set: [
      ['scope', ContextScope],
      ['values', ContextValues],
    ],
    page: [['page', z.optional(PageViewInput)]],
    track: [
      ['event', z.unknown()],
      ['properties', z.unknown()],
    ],
    open: [],
    close: [],
    toggle: [],
    prefill: [['text', PrefillText]],
    on: [
      ['event', HostEventName],
      ['handler', Handler()],
    ],
    once: [
      ['event', HostEventName],
      ['handler', Handler()],
    ],
    off: [
      ['event', HostEventName],
      ['handler', z.optional(Handler())],
    ],
    consent: [['categories', ConsentUpdate]],
    reset: [],
  }) as const satisfies Record<HostCommand, ReadonlyArray<readonly [string, z.ZodMiniType]>>)()

type Issue = z.core.$ZodIssue

const describeIssue = (issue: Issue): string => {
  switch (issue.code) {
    case 'too_big':
      return `must be at most ${issue.maximum}${issue.origin === 'string' ? ' characters' : ''}`
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
    default:
      return issue.message
  }
}

/** The issue that explains a failure best: inside keys and unions, the most specific one. */
function innermost(issue: Issue, path: PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const at = [...path, ...issue.path]
  if (issue.code === 'invalid_key' && issue.issues[0]) return innermost(issue.issues[0], at)
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
  const isLimit =
    issue.code === 'too_big' || (issue.code === 'custom' && issue.params?.limit === true)
  return {
    ok: false,
    code: isLimit ? 'limit_exceeded' : 'invalid_argument',
    message: `${where(name, path)}: ${describeIssue(issue)}`,
  }
}

/** Validates a host call against the reference schemas; never throws. */
export function decodeHostCall(command: unknown, args: readonly unknown[]): HostDecoded<HostCall> {
  if (typeof command !== 'string' || !own(hostCommandArgs, command)) return unknownCommand(command)
  const name = command as HostCommand
  const specs: ReadonlyArray<readonly [string, z.ZodMiniType]> = hostCommandArgs[name]
  if (args.length > specs.length) return arity(name, specs.length, args.length)
  const values: unknown[] = []
  for (const [i, [argName, schema]] of specs.entries()) {
    const decoded = decodeHost(schema, args[i], `${name}(${argName})`)
    if (!decoded.ok) return decoded
    values.push(decoded.value)
  }
  return { ok: true, value: { command: name, args: values } }
}
