import {
  ChatItem,
  conversationStream,
  decode,
  type HostEvents,
  MessageInput,
} from '@causette/events'
import {
  type ConnectionState,
  connect,
  type StorageLike,
  type Transport,
  type WebSocketConstructor,
} from '@causette/transport'
import { toCausetteError } from '../causette-error.js'
import type { OpenConversation } from '../create-session.js'

export interface ChatMessage {
  readonly seq: number
  readonly id: string
  readonly item: ChatItem
}

export interface PendingMessage {
  readonly id: string
  readonly text: string
}

export interface ChatState {
  readonly connection: ConnectionState | { readonly status: 'idle' }
  readonly messages: readonly ChatMessage[]
  readonly pending: readonly PendingMessage[]
  /** Messages from the shop the visitor has not seen with the panel open. */
  readonly unread: number
  /** The last error the visitor should see, in words. */
  readonly error: string | undefined
  /** Text the host put into the composer (`prefill`); `version` tells two equal texts apart. */
  readonly prefill: { readonly text: string; readonly version: number } | undefined
}

export interface Chat {
  state(): ChatState
  subscribe(listener: (state: ChatState) => void): () => void
  /**
   * Follows a conversation with its visitor's token, or nothing. A new token gets a new
   * transport: the old one would go on authenticating as a visitor the server forgot.
   */
  follow(conversation: OpenConversation | undefined): void
  /** Validates and sends a text message; resolves when queued (or refused, with `error` set). */
  send(text: string): Promise<boolean>
  prefill(text: string): void
  setOpen(open: boolean): void
  destroy(): void
}

/** What the chat needs from the loader: opening a conversation, forgetting a refused visitor. */
export interface ChatSession {
  /** Opens the conversation (creating the visitor first if needed), with the context kept so far. */
  start(): Promise<OpenConversation>
  /** The server refused the visitor's token (it forgot the visitor). */
  forget(): void
}

/** The conversation's events the host hears about. */
export type ChatEvent =
  | { readonly type: 'message:sent'; readonly payload: HostEvents['message:sent'] }
  | { readonly type: 'message:received'; readonly payload: HostEvents['message:received'] }

export interface ChatOptions {
  readonly serverUrl: string
  readonly session: ChatSession
  readonly storage: StorageLike | null
  readonly keys: { readonly outbox: string; readonly read: string }
  /** @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor
  readonly onEvent?: (event: ChatEvent) => void
}

function describe(error: unknown): string {
  switch (toCausetteError(error).code) {
    case 'network':
      return 'You seem to be offline. Try again in a moment.'
    case 'rate_limited':
      return 'Too many attempts. Please wait a minute.'
    case 'consent_required':
      return 'Chat is off until you allow it in the cookie settings.'
    default:
      return 'Something went wrong. Please try again.'
  }
}

/** The visitor's side of a conversation: transport, message list, unread count. */
export function createChat(options: ChatOptions): Chat {
  const { session, storage, keys } = options
  const listeners = new Set<(state: ChatState) => void>()
  let state: ChatState = {
    connection: { status: 'idle' },
    messages: [],
    pending: [],
    unread: 0,
    error: undefined,
    prefill: undefined,
  }
  let following: OpenConversation | undefined
  let transport: Transport | undefined
  let transportToken: string | undefined
  let open = false
  let destroyed = false
  let readSeq = 0

  const update = (patch: Partial<ChatState>) => {
    state = { ...state, ...patch }
    for (const listener of listeners) listener(state)
  }

  /** The highest seq seen with the panel open, kept per conversation across pages. */
  function readCursor(conversationId: string): number {
    const [id, seq] = (storage?.getItem(keys.read) ?? '').split(' ')
    const value = Number(seq)
    return id === conversationId && Number.isSafeInteger(value) ? value : 0
  }

  function unreadCount(): number {
    if (open) return 0
    return state.messages.filter((m) => m.seq > readSeq && m.item.author.role !== 'visitor').length
  }

  function markRead() {
    const last = state.messages.at(-1)?.seq ?? 0
    if (following && last > readSeq) {
      readSeq = last
      storage?.setItem(keys.read, `${following.conversationId} ${last}`)
    }
  }

  function syncPending() {
    if (!transport || !following) return
    // An item can arrive before its ack: it is then shown once, as delivered.
    const delivered = new Set(state.messages.map((m) => m.id))
    const pending = transport
      .pending(conversationStream(following.conversationId))
      .flatMap((entry) => {
        if (delivered.has(entry.id)) return []
        const body = decode(MessageInput, entry.body)
        return body.ok ? [{ id: entry.id, text: body.value.text }] : []
      })
    update({ pending })
  }

  function closeTransport() {
    transport?.close()
    transport = transportToken = undefined
  }

  function ensureTransport(token: string): Transport {
    if (transport && transportToken === token) return transport
    if (destroyed) throw new Error('chat is destroyed: no transport after destroy()')
    closeTransport()
    const url = `${options.serverUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/transport`
    const t = connect({
      url,
      auth: () => token,
      storage,
      storageKey: keys.outbox,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    })
    t.subscribe((connection) => {
      if (t !== transport) return
      update({ connection })
      if (connection.status === 'closed' && connection.reason === 'unauthorized') {
        // The server no longer knows this visitor (data reset): start afresh on the next message.
        closeTransport()
        session.forget()
      }
    })
    t.onItems((stream, items) => {
      if (t !== transport || !following) return
      const { conversationId, lastSeq } = following
      if (stream !== conversationStream(conversationId)) return
      const fresh: ChatMessage[] = []
      for (const raw of items) {
        const item = decode(ChatItem, raw.body)
        if (item.ok) fresh.push({ seq: raw.seq, id: raw.id, item: item.value })
      }
      update({ messages: [...state.messages, ...fresh] })
      if (open) markRead()
      update({ unread: unreadCount() })
      for (const { seq, id, item } of fresh) {
        // History replayed on follow is not news: only what came after the conversation's last seq.
        if (seq <= lastSeq || item.author.role === 'visitor') continue
        options.onEvent?.({
          type: 'message:received',
          payload: {
            conversationId,
            messageId: id,
            seq,
            text: item.content.text,
            at: item.at,
            author: {
              role: item.author.role,
              ...(item.author.name ? { name: item.author.name } : {}),
            },
          },
        })
      }
      syncPending()
    })
    t.onRejected(() => {
      update({ error: 'A message could not be delivered.' })
      syncPending()
    })
    transport = t
    transportToken = token
    update({ connection: t.state() })
    return t
  }

  const chat: Chat = {
    state: () => state,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    follow(conversation) {
      if (destroyed) return
      if (!conversation) {
        closeTransport()
        following = undefined
        update({ connection: { status: 'idle' }, messages: [], pending: [], unread: 0 })
        return
      }
      const same = following?.conversationId === conversation.conversationId
      if (same && transportToken === conversation.token) return
      if (!same) {
        following = conversation
        readSeq = readCursor(conversation.conversationId)
        update({ messages: [], pending: [], unread: 0 })
      }
      ensureTransport(conversation.token).follow(conversationStream(conversation.conversationId), 0)
      syncPending()
    },
    async send(text) {
      if (destroyed) return false
      const content = decode(MessageInput, { type: 'text', text })
      if (!content.ok) {
        update({
          error: text.trim() === '' ? 'Type a message first.' : 'This message is too long.',
        })
        return false
      }
      update({ error: undefined })
      try {
        const conversation = following ?? (await session.start())
        // The widget may have been unmounted while the conversation was being opened.
        if (destroyed) return false
        chat.follow(conversation)
        const t = ensureTransport(conversation.token)
        const { conversationId } = conversation
        const sent = t.send(conversationStream(conversationId), content.value)
        syncPending()
        void sent.then((result) => {
          if (result.ok) {
            options.onEvent?.({
              type: 'message:sent',
              payload: {
                conversationId,
                messageId: result.id,
                seq: result.seq,
                text: content.value.text,
              },
            })
          } else {
            update({
              error:
                result.error.code === 'outbox_full'
                  ? 'Too many messages waiting to be sent. Please wait.'
                  : 'A message could not be delivered.',
            })
          }
          syncPending()
        })
        return true
      } catch (error) {
        update({ error: describe(error) })
        return false
      }
    },
    prefill(text) {
      update({ prefill: { text, version: (state.prefill?.version ?? 0) + 1 } })
    },
    setOpen(next) {
      open = next
      if (open) markRead()
      update({ unread: unreadCount() })
    },
    destroy() {
      destroyed = true
      closeTransport()
      listeners.clear()
    },
  }
  return chat
}
