import type { ConsentCategory, HostCommand, HostErrorCode, HostEventName } from '@causette/events'

// The names the loader checks host calls against, without the schemas. @causette/events
// defines them next to its schemas (host-api.ts, host-events.ts): a bundler puts a module
// whole into the loader when the loader imports anything from it, so importing them from
// there would bring zod and every schema into loader.js. A name that is not one fails to
// compile; host-names.test.ts checks that the lists are the same, names missing included.

/** Every host command (hostCommands of @causette/events). */
export const commandNames = [
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
] as const satisfies readonly HostCommand[]

/** Every host event (hostEventNames of @causette/events). */
export const eventNames = [
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
] as const satisfies readonly HostEventName[]

/** Every consent category (consentCategories of @causette/events). */
export const categoryNames = [
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'analytics_storage',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
] as const satisfies readonly ConsentCategory[]

/** Every error code (HostErrorCodes of @causette/events). */
export const errorCodes = [
  'invalid_argument',
  'limit_exceeded',
  'currency_mismatch',
  'invalid_state',
  'consent_required',
  'cancelled',
  'network',
  'rate_limited',
  'unauthorized',
  'rejected',
  'server_error',
  'identity_expired',
  'identity_bad_signature',
  'identity_missing_sub',
  'identity_unknown_key',
  'identity_bad_algorithm',
  'identity_malformed',
  'identity_not_configured',
  'identity_provider_failed',
  'internal',
] as const satisfies readonly HostErrorCode[]

/** The error codes whose call can succeed if tried again later (HostErrorCodes' `retryable`). */
export const retryableCodes: ReadonlySet<HostErrorCode> = new Set<HostErrorCode>([
  'consent_required',
  'network',
  'rate_limited',
  'unauthorized',
  'server_error',
  'identity_expired',
  'identity_provider_failed',
])
