/** HTTP error codes of the REST API: the `code` in `{ error: { code, message } }`, and its status. */
export const ServerErrorCodes = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
} as const

export type ServerErrorCode = keyof typeof ServerErrorCodes

/** The one error type of `@causette/server`'s HTTP layer; unknown errors become `internal`. */
export class ServerError extends Error {
  override readonly name = 'ServerError'
  readonly code: ServerErrorCode
  readonly status: number
  readonly retryAfterS: number | undefined

  constructor(
    code: ServerErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(message, options)
    this.code = code
    this.status = ServerErrorCodes[code]
    this.retryAfterS = options?.retryAfterS
  }
}
