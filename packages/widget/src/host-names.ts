import {
  type ConsentCategory,
  consentCategories,
  type HostCommand,
  type HostErrorCode,
  HostErrorCodes,
  hostCommands,
  hostEventNames,
} from '@causette/events'

// The names the loader checks host calls against. They come from a module of @causette/events
// that holds no schema (host-names.ts there), so the loader stays free of zod; bundle.test.ts
// checks that it does.

/** Every host command. */
export const commandNames: readonly HostCommand[] = hostCommands

/** Every host event. */
export const eventNames = hostEventNames

/** Every consent category. */
export const categoryNames: readonly ConsentCategory[] = consentCategories

/** Every error code. */
export const errorCodes = Object.keys(HostErrorCodes) as HostErrorCode[]

/** The error codes whose call can succeed if tried again later (HostErrorCodes' `retryable`). */
export const retryableCodes: ReadonlySet<HostErrorCode> = new Set(
  errorCodes.filter((code) => HostErrorCodes[code].retryable),
)
