import { conversationStream } from '@causette/events'
import { describe, expect, test, vi } from 'vitest'
import { createMemoryStorage } from '../create-device-storage.js'
import type { OpenConversation } from '../create-session.js'
import { createFakeSockets, settle } from '../test-support.js'
import { type ChatEvent, type ChatSession, createChat } from './create-chat.js'
import { WidgetApiError } from './visitor-api.js'

const keys = { outbox: 'causette:demo:outbox', read: 'causette:demo:read' }
const conversation = (id: string, token: string, lastSeq = 0): OpenConversation => ({
  conversationId: id,
  token,
  lastSeq,
})
const unused: ChatSession = {
  start: () => Promise.reject(new Error('must not be called')),
  forget: () => undefined,
}

function chatWith(session: ChatSession = unused, storage = createMemoryStorage()) {
  const { WebSocket, sockets } = createFakeSockets()
  const events: ChatEvent[] = []
  const chat = createChat({
    serverUrl: 'http://chat.test',
    session,
    storage,
    keys,
    WebSocket,
    onEvent: (event) => events.push(event),
  })
  return { chat, sockets, events, storage }
}

type FakeSocket = ReturnType<typeof createFakeSockets>['sockets'][number]

/** The n-th socket the transport opened, once it has (connecting takes a turn). */
async function socketAt(sockets: readonly FakeSocket[], n: number): Promise<FakeSocket> {
  await settle()
  const socket = sockets[n]
  if (!socket) throw new Error(`no socket #${n}`)
  return socket
}

/** Opens a fake socket and completes the handshake, as the server would. */
async function welcome(socket: FakeSocket) {
  socket.open()
  await settle()
  socket.receive({ t: 'welcome', heartbeatMs: 25_000, maxFrameBytes: 65_536 })
}

async function openedWith(socket: FakeSocket) {
  socket.open()
  await settle()
  return socket.auth()
}

const item = (seq: number, role: 'visitor' | 'agent', text: string) => ({
  seq,
  id: `m${seq}`,
  body: {
    kind: 'message',
    author: {
      role,
      id: role === 'agent' ? 'a1' : 'v1',
      ...(role === 'agent' ? { name: 'Ada' } : {}),
    },
    content: { type: 'text', text },
    at: '2025-01-01T10:00:00.000Z',
  },
})

describe('createChat', () => {
  test('refuses empty and over-long messages with an error, before any network call', async () => {
    const { chat, sockets } = chatWith()
    expect(await chat.send('   ')).toBe(false)
    expect(chat.state().error).toBe('Type a message first.')
    expect(await chat.send('x'.repeat(4_001))).toBe(false)
    expect(chat.state().error).toBe('This message is too long.')
    expect(sockets).toHaveLength(0)
  })

  test('a network failure while starting the conversation is shown, not thrown', async () => {
    const { chat } = chatWith({
      ...unused,
      start: () => Promise.reject(new WidgetApiError('network', 0, 'Failed to fetch')),
    })
    expect(await chat.send('hello')).toBe(false)
    expect(chat.state().error).toBe('You seem to be offline. Try again in a moment.')
  })

  test('a new visitor token gets a new transport: the old one never authenticates again', async () => {
    const { chat, sockets } = chatWith()
    chat.follow(conversation('c1', 'token-1'))
    const first = await socketAt(sockets, 0)
    expect(await openedWith(first)).toBe('token-1')
    // identify switched the visitor, or the server forgot it and a new one was made.
    chat.follow(conversation('c2', 'token-2'))
    expect(first.closed).toBe(true)
    const second = await socketAt(sockets, 1)
    expect(await openedWith(second)).toBe('token-2')
    chat.follow(undefined)
    expect(second.closed).toBe(true)
    await settle()
    expect(sockets).toHaveLength(2)
  })

  test('refused credentials: the visitor is forgotten and the next message goes out with the new token', async () => {
    const forget = vi.fn()
    const start = vi.fn(async () => conversation('c2', 'token-2'))
    const { chat, sockets } = chatWith({ start, forget })
    chat.follow(conversation('c1', 'token-1'))
    const first = await socketAt(sockets, 0)
    expect(await openedWith(first)).toBe('token-1')
    // The server no longer knows token-1: it closes with the policy code.
    first.onclose?.({ code: 1008 })
    expect(forget).toHaveBeenCalledTimes(1)
    chat.follow(undefined)
    expect(await chat.send('still there?')).toBe(true)
    expect(start).toHaveBeenCalledTimes(1)
    expect(await openedWith(await socketAt(sockets, 1))).toBe('token-2')
    expect(chat.state().pending.map((p) => p.text)).toEqual(['still there?'])
    chat.destroy()
  })

  test('only news is announced: history up to lastSeq is not, nor the visitor own echoes', async () => {
    const { chat, sockets, events } = chatWith()
    chat.follow(conversation('c1', 'token-1', 2))
    const socket = await socketAt(sockets, 0)
    await welcome(socket)
    socket.receive({
      t: 'items',
      stream: conversationStream('c1'),
      items: [
        item(1, 'visitor', 'Hi'),
        item(2, 'agent', 'Hello!'),
        item(3, 'agent', 'Anything else?'),
        item(4, 'visitor', 'No'),
      ],
    })
    expect(events).toEqual([
      {
        type: 'message:received',
        payload: {
          conversationId: 'c1',
          messageId: 'm3',
          seq: 3,
          text: 'Anything else?',
          at: '2025-01-01T10:00:00.000Z',
          author: { role: 'agent', name: 'Ada' },
        },
      },
    ])
    chat.destroy()
  })

  test('a sent message is announced once the server has stored it, with its seq', async () => {
    const { chat, sockets, events } = chatWith({
      ...unused,
      start: async () => conversation('c1', 'token-1'),
    })
    expect(await chat.send('Where is my order?')).toBe(true)
    const socket = await socketAt(sockets, 0)
    await welcome(socket)
    await settle()
    const sent = socket.sent.find((frame) => frame.t === 'send')
    expect(sent).toBeDefined()
    socket.receive({ t: 'ack', id: sent?.id, stream: conversationStream('c1'), seq: 1 })
    await settle()
    expect(events).toEqual([
      {
        type: 'message:sent',
        payload: { conversationId: 'c1', messageId: sent?.id, seq: 1, text: 'Where is my order?' },
      },
    ])
    chat.destroy()
  })

  test('unread counts the shop messages not yet seen with the panel open, across pages', async () => {
    const storage = createMemoryStorage()
    const first = chatWith(unused, storage)
    first.chat.follow(conversation('c1', 'token-1', 0))
    const socket = await socketAt(first.sockets, 0)
    await welcome(socket)
    const stream = conversationStream('c1')
    socket.receive({
      t: 'items',
      stream,
      items: [item(1, 'visitor', 'Hi'), item(2, 'agent', 'Hello!')],
    })
    expect(first.chat.state().unread).toBe(1)
    first.chat.setOpen(true)
    expect(first.chat.state().unread).toBe(0)
    first.chat.destroy()

    // The next page replays the history: what was read stays read.
    const next = chatWith(unused, storage)
    next.chat.follow(conversation('c1', 'token-1', 2))
    const again = await socketAt(next.sockets, 0)
    await welcome(again)
    again.receive({
      t: 'items',
      stream,
      items: [
        item(1, 'visitor', 'Hi'),
        item(2, 'agent', 'Hello!'),
        item(3, 'agent', 'Still there?'),
      ],
    })
    expect(next.chat.state().unread).toBe(1)
    next.chat.destroy()
  })

  test('prefill reaches the state with a version, so that the same text twice is seen twice', () => {
    const { chat } = chatWith()
    chat.prefill('About order 42')
    chat.prefill('About order 42')
    expect(chat.state().prefill).toEqual({ text: 'About order 42', version: 2 })
  })

  test('after destroy, sending opens no connection', async () => {
    const { chat, sockets } = chatWith()
    chat.destroy()
    expect(await chat.send('hello')).toBe(false)
    expect(chat.state().error).toBeUndefined()
    expect(sockets).toHaveLength(0)
  })
})
