import { type ErrorCode, ErrorCodes } from '../protocol/codes.js'

/** Errors the client raises itself, before anything reaches the server. */
export const ClientErrorCodes = {
  /** The outbox holds its maximum number of unsent items; wait for acknowledgements. */
  outbox_full: { retryable: true },
  /** The payload, encoded, is larger than the server's maximum frame size. */
  payload_too_large: { retryable: false },
  /** The connection was closed by `close()` or for good (unauthorized). */
  closed: { retryable: false },
} as const

export type TransportErrorCode = ErrorCode | keyof typeof ClientErrorCodes

/** The one error type of `@causette/transport`: a stable `code`, and whether retrying can help. */
export class TransportError extends Error {
  override readonly name = 'TransportError'
  readonly code: TransportErrorCode
  readonly retryable: boolean

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.retryable =
      code in ErrorCodes
        ? ErrorCodes[code as ErrorCode].retryable
        : ClientErrorCodes[code as keyof typeof ClientErrorCodes].retryable
  }
}
