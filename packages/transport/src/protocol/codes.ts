/**
 * Error codes carried by `error` frames. Each has a stable string, a meaning
 * and whether the client should retry the request that caused it.
 * docs/protocol.md lists the same table; a test keeps the two in step.
 */
export const ErrorCodes = {
  /** The frame is not JSON, or not an object with a known `t`. */
  bad_frame: { retryable: false },
  /** The frame is larger than the server's maximum frame size. */
  frame_too_large: { retryable: false },
  /** The first frame was not `hello`, or `hello` came twice. */
  bad_state: { retryable: false },
  /** The credentials in `hello` are missing, invalid or expired. */
  unauthorized: { retryable: false },
  /** The principal may not read or write this stream. */
  forbidden: { retryable: false },
  /** The payload was rejected by the application's validation. */
  invalid_payload: { retryable: false },
  /** Too many frames in too short a time; retry after `retryMs`. */
  rate_limited: { retryable: true },
  /** The server is overloaded or draining; retry after `retryMs`. */
  unavailable: { retryable: true },
  /** The server failed unexpectedly; the request may be retried. */
  internal: { retryable: true },
} as const

export type ErrorCode = keyof typeof ErrorCodes

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value)
}

/**
 * WebSocket close codes the server uses. 1000-1015 are RFC 6455 codes with the
 * meaning given there; 4000-4999 are Causette's own.
 */
export const CloseCodes = {
  /** Normal closure: the client asked, or the server is shutting the connection down cleanly. */
  normal: 1000,
  /** The server is going away (shutdown). Reconnect with backoff. */
  goingAway: 1001,
  /** Protocol error: too many invalid frames, or a frame before `hello`. Reconnect with backoff. */
  protocolError: 1002,
  /** Invalid frame payload data (binary frames are not accepted). Reconnect with backoff. */
  invalidData: 1007,
  /** Policy violation: authentication failed. Do not reconnect with the same credentials. */
  policy: 1008,
  /** A frame exceeded the maximum frame size. Reconnect; do not resend the same frame. */
  tooBig: 1009,
  /** Internal server error. Reconnect with backoff. */
  internalError: 1011,
  /** The server is restarting. Reconnect after the retry hint. */
  serviceRestart: 1012,
  /** Try again later: overloaded, or this connection fell too far behind (slow consumer). */
  tryAgainLater: 1013,
  /** No `hello` within the handshake timeout. Reconnect with backoff. */
  helloTimeout: 4000,
  /** No frame from the peer within the heartbeat grace period. Reconnect with backoff. */
  heartbeatTimeout: 4001,
} as const

export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes]

/** Close codes after which reconnecting with the same credentials is pointless. */
export const terminalCloseCodes: ReadonlySet<number> = new Set([CloseCodes.policy])
