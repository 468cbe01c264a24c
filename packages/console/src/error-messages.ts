import type { TransportError } from '@causette/transport'
import type { ApiError } from './api-error.js'

/** What the sign-in form tells the agent when signing in fails. */
export function signInErrorMessage(error: ApiError): string {
  switch (error.code) {
    case 'unauthorized':
      return 'Wrong email or password.'
    case 'rate_limited':
      return error.retryAfterS === undefined
        ? 'Too many sign-in attempts. Wait a moment, then try again.'
        : `Too many sign-in attempts. Try again in ${waitText(error.retryAfterS)}.`
    case 'bad_request':
      return 'Enter your email and password.'
    default:
      return apiErrorMessage(error)
  }
}

/** A REST failure outside sign-in, in words, with its code for support. */
export function apiErrorMessage(error: ApiError): string {
  switch (error.code) {
    case 'network':
      return 'The server cannot be reached. Check your connection and try again.'
    case 'unauthorized':
      return 'Your session has ended. Sign in again.'
    case 'rate_limited':
      return 'Too many requests. Wait a moment, then try again.'
    case 'internal':
      return 'The server failed (internal). Try again.'
    default:
      return `The request failed (${error.code}): ${error.message}`
  }
}

/** Why a reply was not sent, in words, with the transport's error code. */
export function sendErrorMessage(error: TransportError): string {
  switch (error.code) {
    case 'invalid_payload':
      return 'The server refused this reply as invalid (invalid_payload).'
    case 'forbidden':
      return 'You cannot reply in this conversation (forbidden).'
    case 'payload_too_large':
    case 'frame_too_large':
      return `This reply is too large (${error.code}).`
    case 'outbox_full':
      return 'Too many replies are waiting to be delivered (outbox_full). Retry in a moment.'
    case 'unauthorized':
      return 'Your session has ended (unauthorized). Sign in again.'
    case 'closed':
      return 'The connection is closed (closed).'
    default:
      return `The reply was not sent (${error.code}).`
  }
}

function waitText(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`
  const minutes = Math.ceil(seconds / 60)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}
