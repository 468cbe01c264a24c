import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { createContextStore } from '../create-context-store.js'
import { createMemoryStorage, storageKeys } from '../create-device-storage.js'
import { createSession } from '../create-session.js'
import { createFakeClock, startContractServer } from '../test-support.js'
import { createConversation } from './create-conversation.js'
import { createApiCall, createConversationApi, createVisitorApi } from './visitor-api.js'

let server: Awaited<ReturnType<typeof startContractServer>>
beforeAll(async () => {
  server = await startContractServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.requests.length = 0
  server.forgetVisitors()
})

function setup() {
  const call = createApiCall(server.url)
  const storage = createMemoryStorage()
  const keys = storageKeys('demo', server.url)
  const clock = createFakeClock()
  const session = createSession({ api: createVisitorApi(call, 'demo'), storage, keys })
  const context = createContextStore({ storage, keys, now: clock.now })
  const onStarted = vi.fn()
  const conversation = createConversation({
    api: createConversationApi(call),
    session,
    context,
    timers: clock.timers,
    delayMs: 100,
    trigger: () => undefined,
    onStarted,
    onError: (error) => {
      throw error
    },
  })
  return { session, conversation, onStarted, storage, keys }
}

const paths = () => server.requests.map((r) => `${r.method} ${r.path}`)

describe('the conversation on the server', () => {
  test('a double start creates one visitor and one conversation', async () => {
    const { conversation, onStarted } = setup()
    const [a, b] = await Promise.all([conversation.start(), conversation.start()])
    expect(a).toEqual(b)
    expect(paths()).toEqual(['POST /visitors', 'POST /conversations'])
    expect(onStarted).toHaveBeenCalledTimes(1)
  })

  test('identify switching the visitor while a conversation opens: opened again as the new visitor', async () => {
    const call = createApiCall(server.url)
    const visitors = createVisitorApi(call, 'demo')
    const known = await visitors.createVisitor() // the person the device identifies as
    const storage = createMemoryStorage()
    const keys = storageKeys('demo', server.url)
    const clock = createFakeClock()
    const session = createSession({ api: visitors, storage, keys })
    const real = createConversationApi(call)
    let switched = false
    const conversation = createConversation({
      api: {
        ...real,
        async openConversation(token, body) {
          const answer = await real.openConversation(token, body)
          // The identify answer lands while this open was in flight.
          if (!switched) {
            switched = true
            session.adopt(known)
          }
          return answer
        },
      },
      session,
      context: createContextStore({ storage, keys, now: clock.now }),
      timers: clock.timers,
      delayMs: 100,
      trigger: () => undefined,
      onStarted: vi.fn(),
      onError: (error) => {
        throw error
      },
    })
    const opened = await conversation.start()
    expect(opened.token).toBe(known.token)
    const opens = server.requests.filter((r) => r.path === '/conversations')
    expect(opens.map((r) => r.token)).toEqual([expect.any(String), known.token])
    expect(session.visitor()?.token).toBe(known.token)
    expect(session.conversationId()).toBe(opened.conversationId)
  })

  test('a stored visitor the server forgot: a new visitor is made, once, and the conversation opened', async () => {
    const { conversation, session, storage, keys } = setup()
    storage.setItem(keys.visitor, JSON.stringify({ visitorId: 'gone', token: 'token-gone' }))
    session.load()
    const opened = await conversation.start()
    expect(paths()).toEqual(['POST /conversations', 'POST /visitors', 'POST /conversations'])
    expect(opened.token).not.toBe('token-gone')
    expect(session.visitor()?.token).toBe(opened.token)
  })

  test('resume: a forgotten visitor is dropped; an open conversation is confirmed with its last seq', async () => {
    const { conversation, session, storage, keys } = setup()
    storage.setItem(keys.visitor, JSON.stringify({ visitorId: 'gone', token: 'token-gone' }))
    session.load()
    await conversation.resume()
    expect(session.visitor()).toBeUndefined()

    server.knowVisitor('v5', 'token-v5')
    server.openConversation('v5', 'c5', 7)
    storage.setItem(keys.visitor, JSON.stringify({ visitorId: 'v5', token: 'token-v5' }))
    session.load()
    await conversation.resume()
    expect(session.open()).toEqual({ conversationId: 'c5', token: 'token-v5', lastSeq: 7 })
  })
})
