import {
  ChatItem,
  conversationStream,
  decode,
  MessageInput,
  type VisitorSession,
} from '@causette/events'
import {
  type ConnectionState,
  connect,
  type StorageLike,
  type Transport,
  type WebSocketConstructor,
} from '@causette/transport'
import { type VisitorApi, WidgetApiError } from './visitor-api.js'

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
  /** Messages from the shop that arrived while the panel was closed. */
  readonly unread: number
  /** The last error the visitor should see, in words. */
  readonly error: string | undefined
}

export interface Chat {
  state(): ChatState
  subscribe(listener: (state: ChatState) => void): () => void
  /** Restores the visitor's conversation, if one was started on an earlier page. */
  resume(): Promise<void>
  /** Validates and sends a text message; resolves when queued (or refused, with `error` set). */
  send(text: string): Promise<boolean>
  setOpen(open: boolean): void
  destroy(): void
}

export interface ChatOptions {
  readonly serverUrl: string
  readonly siteId: string
  readonly api: VisitorApi
  readonly storage: StorageLike | null
  /** @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor
}

/** Storage keys, per site, so two Causette sites on one origin keep separate identities. */
export function storageKeys(siteId: string) {
  return {
    visitor: `causette:${siteId}:visitor`,
    conversation: `causette:${siteId}:conversation`,
    outbox: `causette:${siteId}:outbox`,
  }
}

function read(storage: StorageLike | null, key: string): string | undefined {
  try {
    return storage?.getItem(key) ?? undefined
  } catch {
    return undefined
  }
}

function write(storage: StorageLike | null, key: string, value: string | undefined) {
  try {
    if (value === undefined) storage?.removeItem(key)
    else storage?.setItem(key, value)
  } catch {
    // Memory keeps the session for this page; a blocked storage only costs persistence.
  }
}

function describe(error: unknown): string {
  if (error instanceof WidgetApiError && error.code === 'network') {
    return 'You seem to be offline. Try again in a moment.'
  }
  if (error instanceof WidgetApiError && error.code === 'rate_limited') {
    return 'Too many attempts. Please wait a minute.'
  }
  return 'Something went wrong. Please try again.'
}

/** The visitor's side of a conversation: identity, conversation, transport, message list. */
export function createChat(options: ChatOptions): Chat {
  const { api, storage } = options
  const keys = storageKeys(options.siteId)
  const listeners = new Set<(state: ChatState) => void>()
  let state: ChatState = {
    connection: { status: 'idle' },
    messages: [],
    pending: [],
    unread: 0,
    error: undefined,
  }
  let session: VisitorSession | undefined = parseSession(read(storage, keys.visitor))
  let conversationId = read(storage, keys.conversation)
  let transport: Transport | undefined
  let open = false
  let destroyed = false

  const update = (patch: Partial<ChatState>) => {
    state = { ...state, ...patch }
    for (const listener of listeners) listener(state)
  }

  function parseSession(raw: string | undefined): VisitorSession | undefined {
    if (!raw) return undefined
    try {
      const value = JSON.parse(raw) as Partial<VisitorSession>
      return typeof value.visitorId === 'string' && typeof value.token === 'string'
        ? { visitorId: value.visitorId, token: value.token }
        : undefined
    } catch {
      return undefined
    }
  }

  function forgetIdentity() {
    session = undefined
    conversationId = undefined
    write(storage, keys.visitor, undefined)
    write(storage, keys.conversation, undefined)
  }

  // Single flight: a double submit must not create two visitors or two conversations.
  let creatingSession: Promise<VisitorSession> | undefined
  let openingConversation: Promise<string> | undefined

  function ensureSession(): Promise<VisitorSession> {
    if (session) return Promise.resolve(session)
    creatingSession ??= api
      .createVisitor()
      .then((created) => {
        session = created
        write(storage, keys.visitor, JSON.stringify(created))
        return created
      })
      .finally(() => {
        creatingSession = undefined
      })
    return creatingSession
  }

  async function ensureConversation(): Promise<{ id: string; token: string }> {
    let current = await ensureSession()
    if (conversationId) return { id: conversationId, token: current.token }
    openingConversation ??= (async () => {
      try {
        return (await api.openConversation(current.token)).id
      } catch (error) {
        if (!(error instanceof WidgetApiError && error.status === 401)) throw error
        // The server forgot this visitor (data reset): start afresh.
        forgetIdentity()
        current = await ensureSession()
        return (await api.openConversation(current.token)).id
      }
    })().finally(() => {
      openingConversation = undefined
    })
    const id = await openingConversation
    current = await ensureSession()
    if (!destroyed && conversationId !== id) follow(id, current.token)
    return { id, token: current.token }
  }

  function syncPending() {
    if (!transport || !conversationId) return
    // An item can arrive before its ack: it is then shown once, as delivered.
    const delivered = new Set(state.messages.map((m) => m.id))
    const pending = transport.pending(conversationStream(conversationId)).flatMap((entry) => {
      if (delivered.has(entry.id)) return []
      const body = decode(MessageInput, entry.body)
      return body.ok ? [{ id: entry.id, text: body.value.text }] : []
    })
    update({ pending })
  }

  function ensureTransport(token: string): Transport {
    if (transport) return transport
    if (destroyed) throw new Error('chat is destroyed: no transport after destroy()')
    const url = `${options.serverUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/transport`
    const t = connect({
      url,
      auth: () => token,
      storage,
      storageKey: keys.outbox,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    })
    t.subscribe((connection) => {
      update({ connection })
      if (connection.status === 'closed' && connection.reason === 'unauthorized') {
        // The server no longer knows this visitor (data reset): start afresh on the next message.
        transport = undefined
        forgetIdentity()
        update({ messages: [], pending: [] })
      }
    })
    t.onItems((_stream, items) => {
      const fresh: ChatMessage[] = []
      for (const raw of items) {
        const item = decode(ChatItem, raw.body)
        if (item.ok) fresh.push({ seq: raw.seq, id: raw.id, item: item.value })
      }
      const fromShop = fresh.filter((m) => m.item.author.role !== 'visitor').length
      update({
        messages: [...state.messages, ...fresh],
        unread: open ? 0 : state.unread + fromShop,
      })
      syncPending()
    })
    t.onRejected(() => {
      update({ error: 'A message could not be delivered.' })
      syncPending()
    })
    update({ connection: t.state() })
    transport = t
    return t
  }

  function follow(id: string, token: string) {
    conversationId = id
    write(storage, keys.conversation, id)
    ensureTransport(token).follow(conversationStream(id), 0)
    syncPending()
  }

  return {
    state: () => state,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async resume() {
      if (!session || destroyed) return
      if (conversationId) return follow(conversationId, session.token)
      try {
        const { token } = session
        const current = await api.currentConversation(token)
        if (current && !destroyed && !conversationId) follow(current.id, token)
      } catch (error) {
        if (error instanceof WidgetApiError && error.status === 401) forgetIdentity()
      }
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
        const { id, token } = await ensureConversation()
        // The widget may have been unmounted while the conversation was being opened.
        if (destroyed) return false
        const t = ensureTransport(token)
        const sent = t.send(conversationStream(id), content.value)
        syncPending()
        void sent.then((result) => {
          if (!result.ok) {
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
    setOpen(next) {
      open = next
      if (open && state.unread > 0) update({ unread: 0 })
    },
    destroy() {
      destroyed = true
      transport?.close()
      transport = undefined
      listeners.clear()
    },
  }
}
