import { describe, expect, test } from 'vitest'
import { CausetteError, toCausetteError } from './causette-error.js'
import { WidgetApiError } from './chat/visitor-api.js'

describe('CausetteError', () => {
  test('takes its retry rule from the code', () => {
    expect(new CausetteError('network', 'offline')).toMatchObject({
      name: 'CausetteError',
      code: 'network',
      retryable: true,
      message: 'offline',
    })
    expect(new CausetteError('invalid_argument', 'x').retryable).toBe(false)
  })

  test('server and network failures map to the documented codes', () => {
    const map = (code: string, status: number) =>
      toCausetteError(new WidgetApiError(code, status, 'message')).code
    expect(map('network', 0)).toBe('network')
    expect(map('rate_limited', 429)).toBe('rate_limited')
    expect(map('identity_expired', 401)).toBe('identity_expired')
    expect(map('identity_not_configured', 400)).toBe('identity_not_configured')
    expect(map('unauthorized', 401)).toBe('unauthorized')
    expect(map('identity_from_the_future', 401)).toBe('unauthorized')
    expect(map('internal', 500)).toBe('server_error')
    expect(map('internal', 200)).toBe('server_error')
    expect(map('forbidden', 403)).toBe('rejected')
    expect(map('bad_request', 400)).toBe('rejected')
  })

  test('anything else is internal, with its cause; a CausetteError stays itself', () => {
    const bug = new TypeError('x is undefined')
    expect(toCausetteError(bug)).toMatchObject({ code: 'internal', cause: bug })
    const own = new CausetteError('cancelled', 'reset')
    expect(toCausetteError(own)).toBe(own)
  })
})
