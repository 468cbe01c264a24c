// The names of the host API (commands, events, consent categories, error codes), apart from
// the schemas: the widget's loader checks calls against them without loading zod (a bundler
// keeps a module whole once anything of it is used, so these must not share one with schemas).

/**
 * Every error code a host call can reject with (`CausetteError.code`), and whether trying the
 * same call again later can succeed. docs/host-api.md lists them all.
 */
export const HostErrorCodes = {
  /** Unknown command, wrong arguments; the message names the argument and the path. */
  invalid_argument: { retryable: false },
  /** An argument is over a documented limit. */
  limit_exceeded: { retryable: false },
  /** An amount in another currency than the cart's (docs/events.md). */
  currency_mismatch: { retryable: false },
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
  /** The server refused the request for good (site unknown, origin not allowed, bad input). */
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
  'cart',
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

/** Every host event, in the order docs/host-api.md lists them. */
export const hostEventNames = [
  'ready',
  'open',
  'close',
  'unread',
  'conversation:started',
  'conversation:ended',
  'message:sent',
  'message:received',
  'proactive:shown',
  'proactive:dismissed',
  'rating:submitted',
  'error',
] as const
