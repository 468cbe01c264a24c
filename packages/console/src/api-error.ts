/**
 * Error codes of the console's REST calls: the server's `{ error: { code } }` codes, plus the
 * two the client raises itself when no usable answer came back.
 */
export const ApiErrorCodes = {
  bad_request: { retryable: false },
  /** Not signed in, or wrong credentials on sign-in. */
  unauthorized: { retryable: false },
  forbidden: { retryable: false },
  not_found: { retryable: false },
  payload_too_large: { retryable: false },
  /** Too many attempts; `retryAfterS` says when to try again. */
  rate_limited: { retryable: true },
  internal: { retryable: true },
  /** The request never got an answer: offline, DNS, server down. */
  network: { retryable: true },
  /** The answer was not what the API documents. */
  bad_response: { retryable: false },
} as const

export type ApiErrorCode = keyof typeof ApiErrorCodes

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(ApiErrorCodes, value)
}

/** The one error type of the console's REST client: a stable `code`, and whether retrying can help. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly code: ApiErrorCode
  /** HTTP status, or 0 when no answer came back. */
  readonly status: number
  readonly retryable: boolean
  /** Seconds to wait before retrying, from `Retry-After`. */
  readonly retryAfterS: number | undefined

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { status?: number; retryAfterS?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.code = code
    this.status = options.status ?? 0
    this.retryable = ApiErrorCodes[code].retryable
    this.retryAfterS = options.retryAfterS
  }
}
