import {
  decodeHost,
  type IdentifyResult as IdentifyAnswer,
  IdentityToken,
  type TokenProvider,
} from '@causette/events'
import type { Timers } from '@causette/transport'
import { CausetteError, toCausetteError } from './causette-error.js'
import { type VisitorApi, WidgetApiError } from './chat/visitor-api.js'
import type { Session } from './create-session.js'

/** What `identify` resolves to: verified by the server, or kept until the widget may connect. */
export type IdentifyResult =
  | {
      readonly status: 'verified'
      readonly visitorId: string
      /** The claims the server verified (email, name, attributes), as agents see them. */
      readonly verified: IdentifyAnswer['verified']
      /** When the shop's token expires (epoch ms): a provider is asked again before then. */
      readonly expiresAt: number
    }
  | {
      readonly status: 'deferred'
      /** Verified once `init` has run, or once consent allows connecting; failures go to `error`. */
      readonly until: 'init' | 'consent'
    }

export const identityDefaults = {
  /** How long a token provider may take. */
  providerTimeoutMs: 10_000,
  /** A provider is asked for a new token this long before the last one expires (at most half its life). */
  refreshMarginMs: 60_000,
} as const

export interface Identity {
  identify(input: string | TokenProvider): Promise<IdentifyResult>
  /** Connecting became possible: verify an identity given while it was not. */
  resume(): void
  /** The claims the server last verified for this identity (`null`: the token removed one). */
  verified(): IdentifyAnswer['verified']
  /** Forgets the token or provider, its verified claims, and stops refreshing. */
  clear(): void
}

/** Unix seconds (a JWT's `exp`) or milliseconds, as milliseconds. */
const toMs = (time: number) => (time < 1e12 ? time * 1000 : time)
/** The soonest a token is asked for again, and the longest wait between failed refreshes. */
const minRefreshMs = 30_000
const maxRetryMs = 5 * 60_000

/** `iat` and `exp` of a JWT (already verified by the server), or undefined if unreadable. */
function jwtTimes(jwt: string): { iat: number; exp: number } | undefined {
  try {
    const part = jwt.split('.')[1] ?? ''
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'))
    const { iat, exp } = JSON.parse(json) as { iat?: unknown; exp?: unknown }
    return typeof iat === 'number' && typeof exp === 'number' ? { iat, exp } : undefined
  } catch {
    return undefined
  }
}

/** The shop's identity for this visitor: a JWT or a provider of fresh ones (docs/identity.md). */
export function createIdentity(options: {
  readonly session: Session
  readonly api: VisitorApi
  readonly timers: Timers
  readonly now: () => number
  /** Why the widget may not connect now, if it may not. */
  readonly blocked: () => 'init' | 'consent' | undefined
  readonly onError: (error: CausetteError) => void
  /** The server moved this device to another visitor, who may have a conversation open. */
  readonly onSwitched: () => void
  readonly providerTimeoutMs?: number
  readonly refreshMarginMs?: number
}): Identity {
  const { session, api, timers, now } = options
  const timeoutMs = options.providerTimeoutMs ?? identityDefaults.providerTimeoutMs
  const marginMs = options.refreshMarginMs ?? identityDefaults.refreshMarginMs
  let source: string | TokenProvider | undefined
  let unverified = false
  // Bumped by every identify() and clear(): a result for an older one is dropped.
  let generation = 0
  let refresh: unknown
  let verified: IdentifyAnswer['verified'] = {}

  function check(gen: number) {
    if (gen !== generation) {
      throw new CausetteError('cancelled', 'a later identify() or reset() replaced this identity')
    }
  }

  async function fromProvider(provider: TokenProvider): Promise<string> {
    let timer: unknown
    let value: unknown
    try {
      value = await Promise.race([
        Promise.resolve().then(provider),
        new Promise((_, reject) => {
          timer = timers.setTimeout(
            () => reject(new Error(`no token after ${timeoutMs} ms`)),
            timeoutMs,
          )
        }),
      ])
    } catch (error) {
      throw new CausetteError(
        'identity_provider_failed',
        `the token provider failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    } finally {
      timers.clearTimeout(timer)
    }
    const token = decodeHost(IdentityToken, value, 'token provider result')
    if (!token.ok) throw new CausetteError('identity_provider_failed', token.message)
    return token.value
  }

  /**
   * Asks the provider again before the token expires. The time left is the token's own
   * lifetime (`exp - iat`, both from the shop's clock), counted from now: a device clock that is
   * off by an hour must neither hammer the provider nor let the token lapse. A failed refresh
   * is tried again with backoff, never more often than every `minRefreshMs`.
   */
  function schedule(gen: number, expiresAt: number, jwt: string, failures = 0) {
    const claims = jwtTimes(jwt)
    const left =
      claims && claims.exp > claims.iat ? (claims.exp - claims.iat) * 1000 : toMs(expiresAt) - now()
    const planned = left - Math.min(marginMs, left / 2)
    const delay =
      failures === 0
        ? Math.max(minRefreshMs, planned)
        : Math.min(maxRetryMs, minRefreshMs * 2 ** (failures - 1))
    refresh = timers.setTimeout(() => {
      if (gen !== generation) return
      if (options.blocked()) {
        unverified = true
        return
      }
      verify(gen, false).catch((error: unknown) => {
        report(error)
        if (gen === generation && typeof source === 'function') {
          schedule(gen, expiresAt, jwt, failures + 1)
        }
      })
    }, delay)
  }

  async function verify(gen: number, retried: boolean): Promise<IdentifyResult> {
    const given = source
    if (given === undefined) throw new CausetteError('cancelled', 'the identity was cleared')
    const jwt = typeof given === 'function' ? await fromProvider(given) : given
    check(gen)
    let result: Awaited<ReturnType<VisitorApi['identify']>>
    try {
      result = await api.identify((await session.ensureVisitor()).token, jwt)
    } catch (error) {
      check(gen)
      if (!retried && error instanceof WidgetApiError) {
        // An expired token from a provider: ask it for a new one, once.
        if (error.code === 'identity_expired' && typeof given === 'function') {
          return verify(gen, true)
        }
        // The server forgot the visitor: identify a new one, once.
        if (error.code === 'unauthorized') {
          session.forget()
          return verify(gen, true)
        }
      }
      throw toCausetteError(error)
    }
    check(gen)
    if (result.token && result.token !== session.visitor()?.token) {
      session.adopt({ visitorId: result.visitorId, token: result.token })
      options.onSwitched()
    }
    unverified = false
    verified = result.verified
    if (typeof given === 'function') schedule(gen, result.expiresAt, jwt)
    return {
      status: 'verified',
      visitorId: result.visitorId,
      verified: result.verified,
      expiresAt: result.expiresAt,
    }
  }

  function report(error: unknown) {
    const failure = toCausetteError(error)
    if (failure.code !== 'cancelled') options.onError(failure)
  }

  return {
    identify(input) {
      generation++
      timers.clearTimeout(refresh)
      source = input
      unverified = true
      verified = {}
      const until = options.blocked()
      return until ? Promise.resolve({ status: 'deferred', until }) : verify(generation, false)
    },
    resume() {
      if (unverified && source !== undefined && !options.blocked()) {
        verify(generation, false).catch(report)
      }
    },
    verified: () => verified,
    clear() {
      generation++
      timers.clearTimeout(refresh)
      source = undefined
      unverified = false
      verified = {}
    },
  }
}
