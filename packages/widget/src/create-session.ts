import type { VisitorSession } from '@causette/events'
import type { StorageLike } from '@causette/transport'
import { CausetteError } from './causette-error.js'
import type { ConversationRef, VisitorApi } from './chat/visitor-api.js'
import { readJson, type StorageKeys } from './create-device-storage.js'

/** A conversation the visitor can follow: its id, the token to follow it with, its last seq. */
export interface OpenConversation {
  readonly conversationId: string
  readonly token: string
  readonly lastSeq: number
}

/** Why the visitor's conversation ended for this device (the `conversation:ended` reasons). */
export type EndReason = 'closed' | 'reset' | 'forgotten' | 'switched'

export interface ConversationEnd {
  readonly conversationId: string
  readonly reason: EndReason
}

export interface Session {
  visitor(): VisitorSession | undefined
  /** The conversation this device follows, as stored (it may have been closed since). */
  conversationId(): string | undefined
  /** The conversation, once confirmed open on this page (by the chat chunk). */
  open(): OpenConversation | undefined
  /** Reads the stored visitor and conversation (once storage is allowed). */
  load(): void
  /** The visitor, created on the server first if there is none. */
  ensureVisitor(): Promise<VisitorSession>
  /** Switches this device to another visitor (identify found the visitor under that `sub`). */
  adopt(visitor: VisitorSession): void
  /** Records the server's answer about the visitor's open conversation (none: it was closed). */
  confirm(conversation: ConversationRef | null): void
  /** Throws `cancelled` if forget() ran since `generation()` was read. */
  check(generation: number): void
  generation(): number
  /** Forgets the visitor and its conversation; calls in flight end with `cancelled`. */
  forget(reason?: 'reset' | 'forgotten'): void
  /** Called when the visitor or the conversation changes, with the conversation that ended. */
  subscribe(listener: (ended: ConversationEnd | undefined) => void): () => void
}

function parseVisitor(raw: unknown): VisitorSession | undefined {
  const value = raw as Partial<VisitorSession> | undefined
  return typeof value?.visitorId === 'string' && typeof value.token === 'string'
    ? { visitorId: value.visitorId, token: value.token }
    : undefined
}

/** The visitor's identity on this device and the conversation it follows. */
export function createSession(options: {
  readonly api: VisitorApi
  readonly storage: StorageLike
  readonly keys: StorageKeys
}): Session {
  const { api, storage, keys } = options
  const listeners = new Set<(ended: ConversationEnd | undefined) => void>()
  let visitor: VisitorSession | undefined
  let conversationId: string | undefined
  /** Last seq of the conversation when it was confirmed open: what follows is news. */
  let lastSeq: number | undefined
  // Bumped by forget(): what was in flight belongs to a visitor that is gone.
  let generation = 0
  let creating: Promise<VisitorSession> | undefined

  function save() {
    if (visitor) storage.setItem(keys.visitor, JSON.stringify(visitor))
    else storage.removeItem(keys.visitor)
    if (conversationId) storage.setItem(keys.conversation, conversationId)
    else storage.removeItem(keys.conversation)
  }

  /** Applies a change and tells listeners, naming the conversation that ended, if one did. */
  function change(
    next: {
      visitor?: VisitorSession | undefined
      conversationId?: string | undefined
      lastSeq?: number | undefined
    },
    reason: EndReason,
  ) {
    const before = { token: visitor?.token, conversationId, confirmed: lastSeq !== undefined }
    visitor = next.visitor
    conversationId = next.conversationId
    lastSeq = next.lastSeq
    save()
    const moved =
      before.token !== visitor?.token ||
      before.conversationId !== conversationId ||
      before.confirmed !== (lastSeq !== undefined)
    if (!moved) return
    const ended =
      before.conversationId && before.conversationId !== conversationId
        ? { conversationId: before.conversationId, reason }
        : undefined
    for (const listener of [...listeners]) listener(ended)
  }

  const session: Session = {
    visitor: () => visitor,
    conversationId: () => conversationId,
    open: () =>
      visitor && conversationId && lastSeq !== undefined
        ? { conversationId, token: visitor.token, lastSeq }
        : undefined,
    load() {
      const stored = parseVisitor(readJson(storage, keys.visitor))
      if (stored && !visitor) {
        const id = storage.getItem(keys.conversation) ?? undefined
        change({ visitor: stored, conversationId: id }, 'switched')
      } else {
        // A visitor created on this page (or kept in memory since consent was revoked) wins.
        save()
      }
    },
    ensureVisitor() {
      if (visitor) return Promise.resolve(visitor)
      const gen = generation
      creating ??= api
        .createVisitor()
        .then((created) => {
          session.check(gen)
          change({ visitor: created }, 'switched')
          return created
        })
        .finally(() => {
          creating = undefined
        })
      return creating
    },
    adopt(next) {
      // The other visitor's open conversation, if any, is found by the chat chunk.
      if (next.token !== visitor?.token) change({ visitor: next }, 'switched')
    },
    confirm(conversation) {
      change(
        { visitor, conversationId: conversation?.id, lastSeq: conversation?.lastSeq },
        'closed',
      )
    },
    check(gen) {
      if (gen !== generation) {
        throw new CausetteError('cancelled', 'the visitor was reset while this call was running')
      }
    },
    generation: () => generation,
    forget(reason = 'forgotten') {
      generation++
      creating = undefined
      change({}, reason)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return session
}
