import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { endRedis, redisFailFast } from './fanout.js'

/** Which agents are connected, across every node. */
export interface Presence {
  connected(agentId: string): void
  disconnected(agentId: string): void
  /** Agents with at least one live connection on any node. */
  onlineAgentIds(): Promise<readonly string[]>
  close(): Promise<void>
}

function counter() {
  const counts = new Map<string, number>()
  return {
    counts,
    add(id: string) {
      counts.set(id, (counts.get(id) ?? 0) + 1)
      return counts.get(id) === 1
    },
    remove(id: string) {
      const left = (counts.get(id) ?? 1) - 1
      if (left > 0) counts.set(id, left)
      else counts.delete(id)
      return left <= 0
    },
  }
}

export function createLocalPresence(): Presence {
  const local = counter()
  return {
    connected: (id) => void local.add(id),
    disconnected: (id) => void local.remove(id),
    onlineAgentIds: async () => [...local.counts.keys()],
    close: async () => undefined,
  }
}

/**
 * Presence over Redis: each node keeps a key per connected agent, `<prefix>:<agentId>:<node>`,
 * refreshed every `ttlS / 3` seconds and expiring after `ttlS`, so a node that dies takes its
 * agents offline within `ttlS` without anyone cleaning up after it.
 */
export function createRedisPresence(options: {
  readonly url: string
  readonly prefix: string
  /** @default 30 */
  readonly ttlS?: number
}): Presence {
  const ttlS = options.ttlS ?? 30
  const node = randomUUID()
  const local = counter()
  const redis = new Redis(options.url, {
    ...redisFailFast,
    connectionName: `causette-presence:${options.prefix}`,
  })
  redis.on('error', () => undefined) // presence degrades to this node's view while Redis is away
  const key = (agentId: string) => `${options.prefix}:${agentId}:${node}`
  const refresh = () => {
    if (local.counts.size === 0) return
    const batch = redis.pipeline()
    for (const agentId of local.counts.keys()) batch.set(key(agentId), '1', 'EX', ttlS)
    batch.exec().catch(() => undefined)
  }
  const timer = setInterval(refresh, (ttlS * 1000) / 3)
  timer.unref()
  redis.on('ready', refresh)
  return {
    connected(agentId) {
      if (local.add(agentId)) redis.set(key(agentId), '1', 'EX', ttlS).catch(() => undefined)
    },
    disconnected(agentId) {
      if (local.remove(agentId)) redis.del(key(agentId)).catch(() => undefined)
    },
    async onlineAgentIds() {
      const ids = new Set(local.counts.keys())
      try {
        let cursor = '0'
        do {
          const [next, keys] = await redis.scan(
            cursor,
            'MATCH',
            `${options.prefix}:*`,
            'COUNT',
            500,
          )
          cursor = next
          for (const k of keys) {
            const agentId = k.slice(options.prefix.length + 1, k.lastIndexOf(':'))
            if (agentId) ids.add(agentId)
          }
        } while (cursor !== '0')
      } catch {
        // Redis unreachable: this node's own agents are still a true answer, if a partial one.
      }
      return [...ids]
    },
    async close() {
      clearInterval(timer)
      if (redis.status === 'ready') {
        await Promise.allSettled([...local.counts.keys()].map((agentId) => redis.del(key(agentId))))
      }
      await endRedis(redis)
    },
  }
}
