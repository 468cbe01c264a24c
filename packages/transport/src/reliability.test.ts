import { afterEach, describe, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { connect, type Transport, type WebSocketConstructor } from './index.js'
import {
  fastBackoff,
  type Harness,
  memoryStorage,
  sequenceChecker,
  startHarness,
  testClient,
  until,
} from './test-support.js'

describe('transport reliability under forced disconnects', () => {
  let h: Harness | undefined
  const clients: Transport[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await h?.close()
  })

  test('1,000 network cuts during two-way traffic: nothing lost, nothing twice, everything in order', async () => {
    h = await startHarness()
    const harness = h
    const stream = 'room'
    const alice = testClient(h.url, 'alice')
    const bob = testClient(h.url, 'bob')
    clients.push(alice, bob)
    alice.follow(stream)
    bob.follow(stream)
    const a = sequenceChecker(alice, stream)
    const b = sequenceChecker(bob, stream)
    let drops = 0
    alice.subscribe((state) => {
      if (state.status === 'waiting') drops++
    })
    const cuts = 1_000
    const sends: Promise<{ ok: boolean }>[] = []
    for (let i = 0; i < cuts; i++) {
      sends.push(alice.send(stream, { from: 'alice', i }), bob.send(stream, { from: 'bob', i }))
      // Let some traffic through (or not), then cut every connection mid-flight.
      const before = a.seen.length + b.seen.length
      await until(() => a.seen.length + b.seen.length > before, 50, 'progress').catch(
        () => undefined,
      )
      harness.cut()
    }
    const results = await Promise.all(sends)
    expect(results.every((r) => r.ok)).toBe(true)
    const total = cuts * 2
    await until(() => a.seen.length >= total && b.seen.length >= total, 30_000, 'convergence')
    a.assertExactly(total)
    b.assertExactly(total)
    // The cuts really happened while messages were in flight.
    expect(drops).toBeGreaterThanOrEqual(100)
    // Each sender's own messages are stored in the order it sent them.
    const stored = h.streams.replay(stream, 0, total)
    for (const from of ['alice', 'bob']) {
      const order = stored
        .map((i) => i.body as { from: string; i: number })
        .filter((m) => m.from === from)
        .map((m) => m.i)
      expect(order).toEqual(Array.from({ length: cuts }, (_, i) => i))
    }
  }, 90_000)

  test('a server that rate limits keeps each sender in order (it ends the connection, the client resends)', async () => {
    h = await startHarness({ rate: { perSecond: 200, burst: 10 } })
    const alice = testClient(h.url, 'alice')
    clients.push(alice)
    const sends = Array.from({ length: 150 }, (_, i) => alice.send('s', { i }))
    const results = await Promise.all(sends)
    expect(results.every((r) => r.ok)).toBe(true)
    expect(h.transport.stats().rateLimited).toBeGreaterThan(0)
    const order = h.streams.replay('s', 0, 1_000).map((item) => (item.body as { i: number }).i)
    expect(order).toEqual(Array.from({ length: 150 }, (_, i) => i))
  }, 30_000)

  test('a client that joins late, or resumes from a cursor, gets exactly what follows it', async () => {
    h = await startHarness()
    for (let i = 0; i < 30; i++) h.streams.append('s', `id-${i}`, i)
    const late = testClient(h.url, 'late')
    clients.push(late)
    const check = sequenceChecker(late, 's')
    late.follow('s', 10)
    await until(() => check.seen.length === 20, 5_000, 'replay')
    expect(check.seen.map((i) => i.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11))
    expect(late.cursor('s')).toBe(30)
  })

  test('an unacknowledged outbox survives a "reload" (a new client on the same storage)', async () => {
    h = await startHarness()
    const storage = memoryStorage()
    const data = storage.data
    // The first page queues a message while the server refuses it: never acknowledged.
    const first = connect({
      url: `${h.url}-nowhere`,
      auth: () => 'x',
      storage,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: fastBackoff,
    })
    void first.send('s', { text: 'typed before the reload' }, { id: 'reload-1' })
    first.close()
    expect(data.size).toBe(1)
    const second = connect({
      url: h.url,
      auth: () => 'x',
      storage,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: fastBackoff,
    })
    clients.push(second)
    await until(() => second.pending().length === 0, 5_000, 'outbox flush')
    expect(h.streams.replay('s', 0, 10)).toMatchObject([
      { seq: 1, id: 'reload-1', body: { text: 'typed before the reload' } },
    ])
    expect(data.size).toBe(0)
  })

  test('the outbox limit answers outbox_full, and a closed transport answers closed', async () => {
    h = await startHarness()
    const t = connect({
      url: `${h.url}-nowhere`,
      auth: () => 'x',
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: fastBackoff,
      maxOutbox: 2,
    })
    void t.send('s', 1)
    void t.send('s', 2)
    const third = await t.send('s', 3)
    expect(third.ok === false && third.error.code).toBe('outbox_full')
    t.close()
    const after = await t.send('s', 4)
    expect(after.ok === false && after.error.code).toBe('closed')
  })
})

describe('slow consumers', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.close()
    h = undefined
  })

  test('a client that stops reading is disconnected at the buffer cap and resumes from its cursor with nothing lost', async () => {
    h = await startHarness({ maxBufferedBytes: 256 * 1024 })
    const harness = h
    // A raw socket that follows the stream, then stops reading (its TCP buffers fill up).
    const slow = new WebSocket(h.url)
    await new Promise((resolve) => slow.once('open', resolve))
    const received: number[] = []
    let closeCode: number | undefined
    slow.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { t: string; items?: Array<{ seq: number }> }
      if (frame.t === 'items') received.push(...(frame.items ?? []).map((i) => i.seq))
    })
    slow.on('close', (code) => {
      closeCode = code
    })
    slow.send(JSON.stringify({ t: 'hello', v: 1, auth: 'slow', cursors: { firehose: 0 } }))
    await until(() => harness.transport.stats().connections === 1, 5_000, 'slow client connected')
    await new Promise((resolve) => setTimeout(resolve, 50))
    ;(slow as unknown as { _socket: { pause(): void } })._socket.pause()

    const body = 'x'.repeat(4_096)
    for (let i = 0; i < 5_000; i++) {
      const { item } = harness.streams.append('firehose', `f${i}`, body)
      harness.transport.publish('firehose', [item])
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await until(
      () => harness.transport.stats().slowConsumersClosed >= 1,
      10_000,
      'slow consumer closed',
    )
    ;(slow as unknown as { _socket: { resume(): void } })._socket.resume()
    await until(() => closeCode !== undefined, 10_000, 'close seen by the slow client')
    expect(closeCode).toBe(1013)
    // It comes back from the last seq it holds and gets exactly the rest.
    const cursor = received.length
    expect(received).toEqual(Array.from({ length: cursor }, (_, k) => k + 1))
    const back = testClient(harness.url, 'slow', { channels: ['ws'] })
    const check = sequenceChecker(back, 'firehose')
    back.follow('firehose', cursor)
    await until(() => check.seen.length === 5_000 - cursor, 20_000, 'resume')
    expect(check.seen[0]?.seq).toBe(cursor + 1)
    expect(check.seen.at(-1)?.seq).toBe(5_000)
    back.close()
  }, 60_000)
})
