import { type ConversationSummary, inboxTopic } from '@causette/events'
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import type { Api } from './api.js'
import { createFakeTransport, type FakeTransport } from './fake-transport.js'
import { pollRefreshMs, useInbox } from './use-inbox.js'

let root: HTMLElement
let fetches = 0
let fake: FakeTransport

const api = {
  openConversations: async () => {
    fetches++
    return { ok: true as const, value: [] as readonly ConversationSummary[] }
  },
} as unknown as Api

function Probe() {
  useInbox(api, fake.transport, () => undefined)
  return null
}

beforeEach(async () => {
  vi.useFakeTimers()
  fetches = 0
  fake = createFakeTransport()
  root = document.createElement('div')
  document.body.append(root)
  await act(() => render(<Probe />, root))
})
afterEach(() => {
  render(null, root)
  root.remove()
  vi.useRealTimers()
})

test('an inbox.stale signal for the site makes the list be fetched again', async () => {
  expect(fetches).toBe(1)
  await act(() => fake.signal(inboxTopic('demo'), { type: 'inbox.stale', siteId: 'demo' }))
  expect(fetches).toBe(2)
  // On another site's topic, or malformed: ignored.
  await act(() => fake.signal(inboxTopic('other'), { type: 'inbox.stale', siteId: 'demo' }))
  await act(() => fake.signal(inboxTopic('demo'), { type: 'inbox.stale' }))
  expect(fetches).toBe(2)
})

test('on long-poll the list is fetched again periodically; on WebSocket it is not', async () => {
  await act(() => fake.setState({ status: 'open', via: 'ws' }))
  expect(fetches).toBe(2) // the reconnection refetch
  await act(() => {
    vi.advanceTimersByTime(pollRefreshMs * 3)
  })
  expect(fetches).toBe(2)
  await act(() => fake.setState({ status: 'open', via: 'poll' }))
  await act(() => {
    vi.advanceTimersByTime(pollRefreshMs * 3)
  })
  expect(fetches).toBe(5)
  await act(() => fake.setState({ status: 'open', via: 'ws' }))
  await act(() => {
    vi.advanceTimersByTime(pollRefreshMs * 3)
  })
  expect(fetches).toBe(5)
})
