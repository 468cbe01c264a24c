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
})
