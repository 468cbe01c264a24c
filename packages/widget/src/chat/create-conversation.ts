import type { ContextUpdate, RuleMatch } from '@causette/events'
import type { Timers } from '@causette/transport'
import { CausetteError, toCausetteError } from '../causette-error.js'
import type { ContextStore } from '../create-context-store.js'
import type { OpenConversation, Session } from '../create-session.js'
import { fitContextUpdate } from './fit-context-update.js'
import { type ConversationApi, WidgetApiError } from './visitor-api.js'

export interface Conversation {
  /** Opens the conversation (the server answers with the open one if there is one), with the context kept so far. */
  start(): Promise<OpenConversation>
  /** Asks the server for the visitor's open conversation (after a reload, or a switch of visitor). */
  resume(): Promise<void>
  /** The context changed: its changes go to the open conversation soon, coalesced. */
  changed(): void
  stop(): void
}

const unauthorized = (error: unknown) => error instanceof WidgetApiError && error.status === 401

/**
 * The visitor's conversation on the server: started with the context kept before it existed
 * (and the rule that led to it), then kept up to date with coalesced `ContextUpdate`s.
 */
export function createConversation(options: {
  readonly api: ConversationApi
  readonly session: Session
  readonly context: ContextStore
  readonly timers: Timers
  /** Pause before changes are sent, during which they coalesce. */
  readonly delayMs: number
  /** The rule match a new conversation carries, if a proactive message led to it. */
  readonly trigger: () => RuleMatch | undefined
  readonly onStarted: (conversationId: string, trigger: RuleMatch | undefined) => void
  readonly onError: (error: unknown) => void
}): Conversation {
  const { api, session, context, timers } = options
  let opening: Promise<OpenConversation> | undefined
  let timer: unknown
  let sending = false
  let failures = 0
  let stopped = false

  /** The update within the server's cap; what had to be left out is reported, not lost silently. */
  function fit(update: ContextUpdate): ContextUpdate {
    const { update: fitted, dropped } = fitContextUpdate(update)
    if (dropped.length > 0) {
      options.onError(
        new CausetteError(
          'limit_exceeded',
          `the context is over the server's size limit: ${dropped.join(', ')} not sent`,
        ),
      )
    }
    return fitted
  }

  async function open(retried: boolean): Promise<OpenConversation> {
    const generation = session.generation()
    const before = session.conversationId()
    try {
      const { token } = await session.ensureVisitor()
      const trigger = options.trigger()
      const ref = await api.openConversation(token, {
        context: fit(context.snapshot()),
        ...(trigger ? { trigger } : {}),
      })
      session.check(generation)
      // `identify` switched this device to another visitor while the open was in flight: the
      // answer belongs to the old visitor. Open again as the new one (the server moved the
      // conversation to it, or it has its own), never pairing one's token with the other's.
      if (session.visitor()?.token !== token && !retried) return open(true)
      session.confirm(ref)
      if (ref.id !== before) options.onStarted(ref.id, trigger)
      return { conversationId: ref.id, token, lastSeq: ref.lastSeq }
    } catch (error) {
      if (retried || !unauthorized(error)) throw error
      // The server forgot this visitor (data reset): start afresh, once.
      session.forget()
      return open(true)
    }
  }

  function changed(delay = options.delayMs) {
    if (stopped || timer !== undefined || sending || !session.open()) return
    timer = timers.setTimeout(flush, delay)
  }

  async function flush() {
    timer = undefined
    const open = session.open()
    const changes = open && context.takeChanges()
    if (!open || !changes) return
    sending = true
    try {
      await api.postContext(open.token, fit(changes))
      failures = 0
      sending = false
      changed()
    } catch (error) {
      sending = false
      context.restoreChanges(changes)
      const failure = toCausetteError(error)
      if (failure.code === 'unauthorized') return session.forget()
      // Bounded: five tries, 1 s to 16 s apart; after that, the next change tries again.
      if (failure.retryable && failures < 5) return changed(1_000 * 2 ** failures++)
      failures = 0
      options.onError(failure)
    }
  }

  return {
    start() {
      // Single flight: a double submit must not create two visitors or two conversations.
      opening ??= open(false).finally(() => {
        opening = undefined
      })
      return opening
    },
    async resume() {
      const visitor = session.visitor()
      if (!visitor) return
      const generation = session.generation()
      try {
        const ref = await api.currentConversation(visitor.token)
        session.check(generation)
        if (session.visitor()?.token !== visitor.token) return // switched meanwhile: stale answer
        session.confirm(ref)
        changed()
      } catch (error) {
        if (!unauthorized(error)) throw error
        session.check(generation)
        session.forget()
      }
    },
    changed: () => changed(),
    stop() {
      stopped = true
      timers.clearTimeout(timer)
    },
  }
}
