import {
  type AddressInfo,
  connect as connectTcp,
  createServer as createNetServer,
  type Socket,
} from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { createLocalPresence, createRedisPresence, type Presence } from './presence.js'
import { redisMissing, redisUrl } from './test-services.js'

const missing = await redisMissing()

async function until(predicate: () => Promise<boolean>, ms: number, what = 'condition') {
  const start = Date.now()
  while (!(await predicate())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('local presence', () => {
  test('counts sockets per agent, and a poller for the grace period after its last poll', async () => {
    let now = 1_000_000
    const presence = createLocalPresence({ pollGraceS: 40, now: () => now })
    presence.connected('a')
    presence.connected('a')
    presence.polled('b')
    expect([...(await presence.onlineAgentIds())].sort()).toEqual(['a', 'b'])
    presence.disconnected('a')
    expect([...(await presence.onlineAgentIds())].sort()).toEqual(['a', 'b'])
    presence.disconnected('a')
    now += 39_000
    expect(await presence.onlineAgentIds()).toEqual(['b'])
    now += 2_000
    expect(await presence.onlineAgentIds()).toEqual([])
  })
})

describe.skipIf(missing !== undefined)('presence over Redis', () => {
  const opened: Presence[] = []
  afterEach(async () => {
    for (const presence of opened.splice(0)) await presence.close()
  })
  function node(prefix: string, now: () => number = Date.now) {
    const presence = createRedisPresence({ url: redisUrl, prefix, ttlS: 30, pollGraceS: 40, now })
    opened.push(presence)
    return presence
  }
  const ids = async (presence: Presence) => [...(await presence.onlineAgentIds())].sort()

  test('an agent on one node is seen on the other, by socket or by long-poll, until gone', async () => {
    const prefix = `causette:test:presence-unit:${Date.now()}`
    let now = Date.now()
    const clock = () => now
    const a = node(prefix, clock)
    const b = node(prefix, clock)
    a.connected('socket-agent')
    b.polled('poll-agent')
    await until(async () => (await ids(a)).length === 2, 5_000)
    expect(await ids(a)).toEqual(['poll-agent', 'socket-agent'])
    expect(await ids(b)).toEqual(['poll-agent', 'socket-agent'])
    a.disconnected('socket-agent')
    await until(async () => (await ids(b)).length === 1, 5_000)
    // The poller stops polling: gone everywhere once its grace has run out, even when its own
    // node is asked first (which forgets the poll locally and must tell Redis too).
    now += 41_000
    expect(await ids(b)).toEqual([])
    now -= 20_000 // Back within the sorted set's TTL: only the removal can hide the poller now.
    await until(async () => (await ids(a)).length === 0, 2_000, 'poller removed from Redis')
  })

  test('a node that dies without cleaning up takes its agents offline within the TTL', async () => {
    const prefix = `causette:test:presence-dead:${Date.now()}`
    let now = Date.now()
    const a = node(prefix, () => now)
    const b = node(prefix, () => now)
    a.connected('agent')
    await until(async () => (await ids(b)).length === 1, 5_000)
    // Node A stops refreshing (as if killed): its entry's score falls behind the clock.
    now += 31_000
    expect(await ids(b)).toEqual([])
  })

  test('a removal lost while Redis was unreachable is retried once the link is back', async () => {
    const prefix = `causette:test:presence-retry:${Date.now()}`
    // Node A reaches Redis through a proxy that the test can take down and bring back.
    const target = new URL(redisUrl)
    const sockets = new Set<Socket>()
    const proxy = createNetServer((client) => {
      const upstream = connectTcp(Number(target.port || 6379), target.hostname)
      for (const socket of [client, upstream]) {
        sockets.add(socket)
        socket.on('error', () => undefined)
        socket.on('close', () => sockets.delete(socket))
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const port = (proxy.address() as AddressInfo).port
    const a = createRedisPresence({ url: `redis://127.0.0.1:${port}`, prefix, ttlS: 30 })
    opened.push(a)
    const b = node(prefix)
    try {
      a.connected('agent')
      await until(async () => (await ids(b)).length === 1, 5_000, 'agent online')
      // The link goes down; the agent leaves meanwhile: the removal cannot reach Redis.
      proxy.close()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => setTimeout(resolve, 100))
      a.disconnected('agent')
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(await ids(b)).toEqual(['agent'])
      // The link comes back: well before the 30 s TTL, the retried removal takes effect.
      await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve))
      await until(async () => (await ids(b)).length === 0, 8_000, 'retried removal')
    } finally {
      for (const socket of sockets) socket.destroy()
      proxy.close()
    }
  })
})

if (missing) test.skip(`Redis presence tests skipped: ${missing}`, () => undefined)
