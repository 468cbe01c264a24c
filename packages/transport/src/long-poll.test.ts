import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import type { Transport } from './index.js'
import {
  type Harness,
  memoryStorage,
  sequenceChecker,
  startHarness,
  testClient,
  type UpgradeMode,
  until,
  viaLog,
} from './test-support.js'

/**
 * A loopback HTTP proxy in front of the harness that loses some long-poll responses: it lets
 * the server answer, then destroys the client's socket instead of passing the answer on.
 */
async function lossyProxy(target: string, dropEvery: number) {
  const { port } = new URL(target)
  let polls = 0
  let dropped = 0
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => {
          const isPoll = req.url?.endsWith('/poll') ?? false
          if (isPoll && ++polls % dropEvery === 0) {
            dropped++
            req.socket.destroy() // the server answered; the client never hears it
            return
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          res.end(Buffer.concat(chunks))
        })
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/transport`,
    dropped: () => dropped,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

describe('long-poll', () => {
  let h: Harness | undefined
  const clients: Transport[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await h?.close()
    h = undefined
  })

  test('a long-poll-only client sends and receives, in order, woken by new items', async () => {
    h = await startHarness({ pollHoldMs: 2_000 })
    const poller = testClient(h.url, 'poller', { channels: ['poll'] })
    const socket = testClient(h.url, 'socket', { channels: ['ws'] })
    clients.push(poller, socket)
    poller.follow('room')
    socket.follow('room')
    const seenByPoller = sequenceChecker(poller, 'room')
    const seenBySocket = sequenceChecker(socket, 'room')
    await until(() => poller.state().status === 'open', 5_000, 'poller open')
    expect(poller.state()).toEqual({ status: 'open', via: 'poll' })
    for (let i = 0; i < 20; i++) {
      expect(await socket.send('room', { from: 'socket', i })).toMatchObject({ ok: true })
      expect(await poller.send('room', { from: 'poller', i })).toMatchObject({ ok: true })
    }
    await until(
      () => seenByPoller.seen.length === 40 && seenBySocket.seen.length === 40,
      10_000,
      'delivery',
    )
    seenByPoller.assertExactly(40)
    seenBySocket.assertExactly(40)
    expect(h.transport.stats().polls).toBeGreaterThan(1)
  })

  test('long-poll responses dropped in flight by a proxy lose nothing', async () => {
    h = await startHarness({ pollHoldMs: 500 })
    const proxy = await lossyProxy(h.url.replace('ws:', 'http:'), 3)
    try {
      const poller = testClient(proxy.url, 'poller', { channels: ['poll'] })
      const writer = testClient(h.url, 'writer', { channels: ['ws'] })
      clients.push(poller, writer)
      poller.follow('room')
      const check = sequenceChecker(poller, 'room')
      for (let i = 0; i < 100; i++) {
        void writer.send('room', { i })
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await until(() => check.seen.length === 100, 20_000, 'all items through the lossy proxy')
      check.assertExactly(100)
      expect(proxy.dropped()).toBeGreaterThan(0)
    } finally {
      await proxy.close()
    }
  }, 30_000)

  test.each<[UpgradeMode]>([['refuse'], ['hang'], ['stall']])(
    'WebSocket %s: the client ends up on long-poll and the first message arrives',
    async (mode) => {
      h = await startHarness()
      h.upgrades = mode
      const visitor = testClient(h.url, 'visitor')
      const agent = testClient(h.url, 'agent', { channels: ['poll'] })
      clients.push(visitor, agent)
      visitor.follow('room')
      agent.follow('room')
      const check = sequenceChecker(agent, 'room')
      const result = await visitor.send('room', { text: 'hello through the proxy' })
      expect(result).toMatchObject({ ok: true, seq: 1 })
      expect(visitor.state()).toEqual({ status: 'open', via: 'poll' })
      await until(() => check.seen.length === 1, 5_000, 'first message')
    },
  )

  test('forced switches between WebSocket and long-poll mid-stream: nothing lost, twice or reordered', async () => {
    h = await startHarness({ pollHoldMs: 1_000 })
    const harness = h
    const alice = testClient(h.url, 'alice', { wsProbeMs: 50 })
    const bob = testClient(h.url, 'bob', { wsProbeMs: 50 })
    clients.push(alice, bob)
    const vias = viaLog(alice)
    alice.follow('room')
    bob.follow('room')
    const a = sequenceChecker(alice, 'room')
    const b = sequenceChecker(bob, 'room')
    let sent = 0
    for (let round = 0; round < 6; round++) {
      // Block WebSocket and cut: both clients fall back to long-poll…
      harness.upgrades = 'refuse'
      harness.cut()
      for (let i = 0; i < 20; i++) {
        void alice.send('room', { from: 'alice', n: sent })
        void bob.send('room', { from: 'bob', n: sent++ })
      }
      await until(
        () => alice.state().status === 'open' && vias.at(-1) === 'poll',
        5_000,
        'on long-poll',
      )
      // …then let WebSocket through again: the background probe moves them back.
      harness.upgrades = 'normal'
      for (let i = 0; i < 20; i++) {
        void alice.send('room', { from: 'alice', n: sent })
        void bob.send('room', { from: 'bob', n: sent++ })
      }
      await until(() => vias.at(-1) === 'ws', 10_000, 'back on WebSocket')
    }
    const total = sent * 2
    await until(() => a.seen.length >= total && b.seen.length >= total, 20_000, 'convergence')
    a.assertExactly(total)
    b.assertExactly(total)
    expect(vias.filter((v) => v === 'poll').length).toBeGreaterThanOrEqual(6)
    expect(vias.filter((v) => v === 'ws').length).toBeGreaterThanOrEqual(6)
  }, 60_000)

  test('the long-poll outcome is remembered, so a repeat visit starts on long-poll', async () => {
    h = await startHarness()
    h.upgrades = 'refuse'
    const storage = memoryStorage()
    const first = testClient(h.url, 'v', { storage, wsProbeMs: 60_000 })
    clients.push(first)
    await until(() => first.state().status === 'open', 5_000, 'first visit open')
    first.close()
    const before = h.transport.stats().rejectedUpgrades
    const second = testClient(h.url, 'v', { storage, wsProbeMs: 60_000 })
    clients.push(second)
    await until(() => second.state().status === 'open', 5_000, 'second visit open')
    expect(second.state()).toEqual({ status: 'open', via: 'poll' })
    // The second visit did not knock on the WebSocket door first.
    expect(h.transport.stats().rejectedUpgrades).toBe(before)
  })

  test('a held poll is answered when the hold time runs out, and the client polls again', async () => {
    h = await startHarness({ pollHoldMs: 100 })
    const poller = testClient(h.url, 'p', { channels: ['poll'], pollHoldMs: 100 })
    clients.push(poller)
    poller.follow('quiet')
    await until(() => (h?.transport.stats().polls ?? 0) >= 5, 5_000, 'several empty polls')
    expect(poller.state()).toEqual({ status: 'open', via: 'poll' })
  })
})
