import { afterEach, describe, expect, test } from 'vitest'
import {
  type Harness,
  memoryStorage,
  sequenceChecker,
  startHarness,
  testClient,
  until,
} from '../test-support.js'
import type { LifecycleTarget, Transport } from './connect.js'

/** A stand-in for `window` or `document` that the test fires events on. */
function eventTarget() {
  const listeners = new Map<string, Set<() => void>>()
  const target: LifecycleTarget & {
    visibilityState: string
    fire(type: string): void
    count(): number
  } = {
    visibilityState: 'visible',
    addEventListener(type, listener) {
      if (!listeners.has(type)) listeners.set(type, new Set())
      listeners.get(type)?.add(listener)
    },
    removeEventListener(type, listener) {
      listeners.get(type)?.delete(listener)
    },
    fire(type) {
      for (const listener of listeners.get(type) ?? []) listener()
    },
    count: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
  }
  return target
}

describe('connect', () => {
  let h: Harness | undefined
  const clients: Transport[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await h?.close()
    h = undefined
  })

  test('pagehide lets go of the connection (back/forward cache); pageshow resumes from the cursor', async () => {
    h = await startHarness()
    const win = eventTarget()
    const doc = eventTarget()
    const client = testClient(h.url, 'v', { lifecycle: { window: win, document: doc } })
    clients.push(client)
    client.follow('s')
    const check = sequenceChecker(client, 's')
    await until(() => client.state().status === 'open', 5_000, 'open')
    h.streams.append('s', 'a', 1)
    h.transport.publish('s', h.streams.replay('s', 0, 10))
    await until(() => check.seen.length === 1, 5_000, 'first item')
    win.fire('pagehide')
    expect(client.state()).toEqual({ status: 'suspended' })
    await until(() => h?.transport.stats().connections === 0, 5_000, 'socket closed')
    h.streams.append('s', 'b', 2)
    win.fire('pageshow')
    await until(() => check.seen.length === 2, 5_000, 'resumed')
    check.assertExactly(2)
    client.close()
    expect(win.count() + doc.count()).toBe(0)
  })

  test('online and visibilitychange probe at once instead of waiting for the backoff', async () => {
    h = await startHarness()
    const win = eventTarget()
    const doc = eventTarget()
    const client = testClient(h.url, 'v', {
      lifecycle: { window: win, document: doc },
      backoff: { baseMs: 60_000, capMs: 60_000 },
      random: () => 0.99,
      channels: ['ws'],
    })
    clients.push(client)
    await until(() => client.state().status === 'open', 5_000, 'open')
    h.cut()
    await until(() => client.state().status === 'waiting', 5_000, 'waiting a long backoff')
    win.fire('online')
    await until(() => client.state().status === 'open', 5_000, 'reconnected at once on online')
    h.cut()
    await until(() => client.state().status === 'waiting', 5_000, 'waiting again')
    doc.visibilityState = 'visible'
    doc.fire('visibilitychange')
    await until(() => client.state().status === 'open', 5_000, 'reconnected at once on visible')
  })

  test('a stream followed while the handshake is in flight is still delivered', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let helloSeen = false
    // Hold `hello` until the client has followed a stream after sending it.
    h = await startHarness({
      authenticate: async ({ token }) => {
        helloSeen = true
        await gate
        return token ? { principal: token } : undefined
      },
    })
    h.streams.append('late', 'x', 'hello')
    const client = testClient(h.url, 'v', { channels: ['ws'], healthTimeoutMs: 10_000 })
    clients.push(client)
    const check = sequenceChecker(client, 'late')
    await until(() => helloSeen, 5_000, 'hello sent')
    client.follow('late')
    release()
    await until(() => check.seen.length === 1, 5_000, 'the late stream')
  })

  test('two tabs sharing storage keep each other’s unsent messages', async () => {
    h = await startHarness()
    h.upgrades = 'refuse'
    const storage = memoryStorage()
    const data = storage.data
    const offline = `${h.url}-nowhere`
    const tabA = testClient(offline, 'v', { storage, channels: ['ws'] })
    const tabB = testClient(offline, 'v', { storage, channels: ['ws'] })
    void tabA.send('s', 'from A', { id: 'a1' })
    void tabB.send('s', 'from B', { id: 'b1' })
    tabA.close()
    tabB.close()
    // Tab A's page is reloaded, online this time: both tabs' messages are delivered.
    h.upgrades = 'normal'
    const reloaded = testClient(h.url, 'v', { storage })
    clients.push(reloaded)
    await until(() => h?.streams.replay('s', 0, 10).length === 2, 5_000, 'both delivered')
    expect(
      h.streams
        .replay('s', 0, 10)
        .map((i) => i.id)
        .sort(),
    ).toEqual(['a1', 'b1'])
    await until(() => reloaded.pending().length === 0, 5_000, 'outbox drained')
    expect(data.get('causette:outbox')).toBeUndefined()
  })

  test('an entry larger than the frame limit the server announces is refused, not retried forever', async () => {
    h = await startHarness({ maxFrameBytes: 2_000 })
    h.upgrades = 'refuse'
    const client = testClient(`${h.url}-nowhere`, 'v', { channels: ['ws'] })
    const big = client.send('s', 'x'.repeat(5_000), { id: 'big' })
    const small = client.send('s', 'small', { id: 'small' })
    client.close()
    expect((await big).ok).toBe(false)
    expect((await small).ok).toBe(false)
    // The same entries, restored from storage by a client that reaches the server.
    h.upgrades = 'normal'
    const data = new Map<string, string>([
      [
        'causette:outbox',
        JSON.stringify([
          { id: 'big', stream: 's', body: 'x'.repeat(5_000) },
          { id: 'small', stream: 's', body: 'small' },
        ]),
      ],
    ])
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    }
    const rejected: string[] = []
    const restored = testClient(h.url, 'v', { storage, channels: ['ws'] })
    clients.push(restored)
    restored.onRejected((entry, error) => rejected.push(`${entry.id}:${error.code}`))
    await until(() => h?.streams.replay('s', 0, 10).length === 1, 5_000, 'small delivered')
    expect(rejected).toEqual(['big:payload_too_large'])
    expect(h.streams.replay('s', 0, 10).map((i) => i.id)).toEqual(['small'])
  })
})

describe('resync', () => {
  let h: Harness | undefined
  const clients: Transport[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await h?.close()
    h = undefined
  })

  test('replays every follower from the store in bounded batches, and coalesces repeated calls', async () => {
    h = await startHarness({ resyncBatch: 2, resyncJitterMs: 0 })
    const checks: Array<ReturnType<typeof sequenceChecker>> = []
    for (let i = 0; i < 5; i++) {
      const client = testClient(h.url, `c${i}`, { channels: ['ws'] })
      clients.push(client)
      client.follow('quiet')
      checks.push(sequenceChecker(client, 'quiet'))
    }
    await until(() => h?.transport.stats().connections === 5, 5_000, 'connections')
    await new Promise((resolve) => setTimeout(resolve, 50))
    // Stored without a doorbell, as while the fan-out link was down.
    for (let i = 0; i < 3; i++) h.streams.append('quiet', `q${i}`, i)
    const first = h.transport.resync()
    const second = h.transport.resync()
    expect(second).toBe(first)
    await first
    await until(() => checks.every((c) => c.seen.length === 3), 5_000, 'every follower caught up')
    for (const check of checks) check.assertExactly(3)
  })

  test('with the heads hook, replays only the follows whose cursor is behind', async () => {
    const replayed: string[] = []
    let store: Harness['streams'] | undefined
    h = await startHarness({
      resyncJitterMs: 0,
      // In the memory store seqs start at 1 with no gaps: the head is the length.
      heads: async (names) => new Map(names.map((n) => [n, store?.replay(n, 0, 1e6).length ?? 0])),
      replay: async (stream, after, limit) => {
        replayed.push(stream)
        return store?.replay(stream, after, limit) ?? []
      },
    })
    store = h.streams
    for (let i = 0; i < 2; i++) store.append('current', `c${i}`, i)
    const behind: Array<ReturnType<typeof sequenceChecker>> = []
    const current: Array<ReturnType<typeof sequenceChecker>> = []
    for (let i = 0; i < 4; i++) {
      const client = testClient(h.url, `c${i}`, { channels: ['ws'] })
      clients.push(client)
      const stream = i < 2 ? 'behind' : 'current'
      client.follow(stream)
      ;(i < 2 ? behind : current).push(sequenceChecker(client, stream))
    }
    await until(() => current.every((c) => c.seen.length === 2), 5_000, 'followers caught up')
    await new Promise((resolve) => setTimeout(resolve, 50))
    for (let i = 0; i < 3; i++) store.append('behind', `b${i}`, i)
    replayed.length = 0
    await h.transport.resync()
    await until(() => behind.every((c) => c.seen.length === 3), 5_000, 'behind caught up')
    expect(replayed.filter((s) => s === 'current')).toEqual([])
    expect(replayed.filter((s) => s === 'behind').length).toBeGreaterThanOrEqual(2)
    for (const check of behind) check.assertExactly(3)
    for (const check of current) check.assertExactly(2)
  })
})
