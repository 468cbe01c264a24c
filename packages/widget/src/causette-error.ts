import type { HostErrorCode } from '@causette/events'
import { errorCodes, retryableCodes } from './host-names.js'
import { WidgetApiError } from './widget-api-error.js'

/**
 * The one error type of the host API: every call that fails rejects with it. `code` is stable
 * (docs/host-api.md lists every code), `retryable` says whether the same call can succeed later.
 */
export class CausetteError extends Error {
  override readonly name = 'CausetteError'
  readonly code: HostErrorCode
  readonly retryable: boolean

  constructor(code: HostErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.retryable = retryableCodes.has(code)
  }
}

/** Maps whatever a call failed with to a CausetteError the host can act on. */
export function toCausetteError(error: unknown): CausetteError {
  if (error instanceof CausetteError) return error
  if (!(error instanceof WidgetApiError)) {
    return new CausetteError('internal', error instanceof Error ? error.message : String(error), {
      cause: error,
    })
  }
  const { code, status } = error
  const mapped: HostErrorCode =
    code === 'network' || code === 'rate_limited'
      ? code
      : code.startsWith('identity_') && (errorCodes as readonly string[]).includes(code)
        ? (code as HostErrorCode)
        : status === 401
          ? 'unauthorized'
          : status >= 500 || code === 'internal'
            ? 'server_error'
            : 'rejected'
  return new CausetteError(mapped, error.message, { cause: error })
}
