import { describe, expect, test } from 'vitest'
import { createChat, storageKeys } from './create-chat.js'
import type { VisitorApi } from './visitor-api.js'

function memoryStorage() {
  const data = new Map<string, string>()
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  }
}

const unusedApi: VisitorApi = {
  createVisitor: () => Promise.reject(new Error('must not be called')),
  currentConversation: () => Promise.reject(new Error('must not be called')),
  openConversation: () => Promise.reject(new Error('must not be called')),
}

describe('createChat', () => {
  test('refuses empty and over-long messages with an error, before any network call', async () => {
    const chat = createChat({
      serverUrl: 'http://x',
      siteId: 'demo',
      api: unusedApi,
      storage: null,
    })
    expect(await chat.send('   ')).toBe(false)
    expect(chat.state().error).toBe('Type a message first.')
    expect(await chat.send('x'.repeat(4_001))).toBe(false)
    expect(chat.state().error).toBe('This message is too long.')
  })

  test('a network failure while starting the conversation is shown, not thrown', async () => {
    const { WidgetApiError } = await import('./visitor-api.js')
    const offline: VisitorApi = {
      ...unusedApi,
      createVisitor: () => Promise.reject(new WidgetApiError('network', 0, 'Failed to fetch')),
    }
    const chat = createChat({ serverUrl: 'http://x', siteId: 'demo', api: offline, storage: null })
    expect(await chat.send('hello')).toBe(false)
    expect(chat.state().error).toBe('You seem to be offline. Try again in a moment.')
  })

  test('keeps the visitor identity per site in storage, and forgets it when the server does', async () => {
    const storage = memoryStorage()
    const keys = storageKeys('demo')
    storage.setItem(keys.visitor, JSON.stringify({ visitorId: 'v1', token: 't1' }))
    const { WidgetApiError } = await import('./visitor-api.js')
    let asked = ''
    const api: VisitorApi = {
      ...unusedApi,
      currentConversation: (token) => {
        asked = token
        return Promise.reject(new WidgetApiError('unauthorized', 401, 'invalid token'))
      },
    }
    const chat = createChat({ serverUrl: 'http://x', siteId: 'demo', api, storage })
    await chat.resume()
    expect(asked).toBe('t1')
    expect(storage.data.has(keys.visitor)).toBe(false)
    expect(storageKeys('other').visitor).not.toBe(keys.visitor)
  })

  test('a double submit creates one visitor and one conversation, and sends both messages there', async () => {
    let visitors = 0
    let conversations = 0
    const api: VisitorApi = {
      ...unusedApi,
      createVisitor: async () => {
        visitors++
        await new Promise((resolve) => setTimeout(resolve, 20))
        return { visitorId: 'v1', token: 't1' }
      },
      openConversation: async () => {
        conversations++
        await new Promise((resolve) => setTimeout(resolve, 20))
        return {
          id: 'c1',
          siteId: 'demo',
          visitorId: 'v1',
          status: 'open',
          createdAt: '',
          updatedAt: '',
          lastSeq: 0,
        }
      },
    }
    /** A socket that never connects: the messages wait in the outbox. */
    class NeverOpens {
      readyState = 0
      onopen = null
      onmessage = null
      onclose = null
      onerror = null
      send() {}
      close() {}
    }
    const chat = createChat({
      serverUrl: 'http://x',
      siteId: 'demo',
      api,
      storage: null,
      WebSocket: NeverOpens,
    })
    const [first, second] = await Promise.all([chat.send('hello'), chat.send('hello again')])
    expect([first, second]).toEqual([true, true])
    expect([visitors, conversations]).toEqual([1, 1])
    expect(chat.state().pending.map((p) => p.text)).toEqual(['hello', 'hello again'])
    chat.destroy()
  })

  test('after destroy, sending opens no connection', async () => {
    const chat = createChat({
      serverUrl: 'http://x',
      siteId: 'demo',
      api: unusedApi,
      storage: null,
    })
    chat.destroy()
    expect(await chat.send('hello')).toBe(false)
    // Refused before any call: the API (which rejects here) was never asked.
    expect(chat.state().error).toBeUndefined()
  })
})
