import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { endRedis, redisFailFast } from './fanout.js'

/** Which agents are connected, across every node. */
export interface Presence {
  connected(agentId: string): void
  disconnected(agentId: string): void
  /** The agent made a long-poll request: present for `pollGraceS` after it. */
  polled(agentId: string): void
  /** Agents with a live WebSocket, or a recent long-poll, on any node. */
  onlineAgentIds(): Promise<readonly string[]>
  close(): Promise<void>
}

export interface PresenceOptions {
  /** How long a long-poll request keeps its agent present: longer than a poll's hold. @default 40 */
  readonly pollGraceS?: number
  readonly now?: () => number
}

/** What this node knows: WebSocket connections counted per agent, and the last poll of each. */
function localView(options: PresenceOptions) {
  const graceMs = (options.pollGraceS ?? 40) * 1000
  const now = options.now ?? Date.now
  const sockets = new Map<string, number>()
  const polls = new Map<string, number>()
  return {
    /** True when the agent was not present on this node before. */
    connect(id: string) {
      const before = this.has(id)
      sockets.set(id, (sockets.get(id) ?? 0) + 1)
      return !before
    },
    /** True when the agent is no longer present on this node. */
    disconnect(id: string) {
      const left = (sockets.get(id) ?? 1) - 1
      if (left > 0) sockets.set(id, left)
      else sockets.delete(id)
      return !this.has(id)
    },
    /** True when the agent was not present on this node before. */
    poll(id: string) {
      const before = this.has(id)
      polls.set(id, now())
      return !before
    },
    has(id: string) {
      const polledAt = polls.get(id)
      return sockets.has(id) || (polledAt !== undefined && polledAt + graceMs > now())
    },
    /** Present agent ids, forgetting polls that ran out; `expired` gets those that just did. */
    ids(expired?: (id: string) => void) {
      const cutoff = now() - graceMs
      for (const [id, at] of polls) {
        if (at > cutoff) continue
        polls.delete(id)
        if (!sockets.has(id)) expired?.(id)
      }
      return new Set([...sockets.keys(), ...polls.keys()])
    },
  }
}

export function createLocalPresence(options: PresenceOptions = {}): Presence {
  const local = localView(options)
  return {
    connected: (id) => void local.connect(id),
    disconnected: (id) => void local.disconnect(id),
    polled: (id) => void local.poll(id),
    onlineAgentIds: async () => [...local.ids()],
    close: async () => undefined,
  }
}

/**
 * Presence over Redis: one sorted set per prefix whose members are `<agentId> <node>` and whose
 * scores are expiry times. Each node refreshes its own members every `ttlS / 3` seconds, so a
 * node that dies takes its agents offline within `ttlS` with nobody cleaning up after it, and
 * the online list is one range query (never a `SCAN` of the keyspace). A removal that fails
 * during a blip is retried on the next refresh.
 */
export function createRedisPresence(
  options: PresenceOptions & {
    readonly url: string
    readonly prefix: string
    /** @default 30 */
    readonly ttlS?: number
  },
): Presence {
  const ttlMs = (options.ttlS ?? 30) * 1000
  const now = options.now ?? Date.now
  const node = randomUUID()
  const local = localView(options)
  const key = options.prefix
  const member = (agentId: string) => `${agentId} ${node}`
  // Removals that Redis did not confirm; retried until they are (or the entry expires).
  const pendingRemovals = new Set<string>()
  const redis = new Redis(options.url, {
    ...redisFailFast,
    connectionName: `causette-presence:${options.prefix}`,
  })
  redis.on('error', () => undefined) // presence degrades to this node's view while Redis is away

  function add(agentIds: Iterable<string>) {
    const args: Array<number | string> = []
    const expiresAt = now() + ttlMs
    for (const agentId of agentIds) {
      pendingRemovals.delete(agentId)
      args.push(expiresAt, member(agentId))
    }
    if (args.length > 0) redis.zadd(key, ...args).catch(() => undefined)
  }
  function remove(agentIds: Iterable<string>) {
    const ids = [...agentIds]
    if (ids.length === 0) return
    for (const id of ids) pendingRemovals.add(id)
    redis
      .zrem(key, ...ids.map(member))
      .then(() => {
        // Only those not present again since: a reconnect re-added them.
        for (const id of ids) if (!local.has(id)) pendingRemovals.delete(id)
      })
      .catch(() => undefined)
  }
  function refresh() {
    const expired: string[] = []
    add(local.ids((id) => expired.push(id)))
    remove(new Set([...pendingRemovals, ...expired]))
    redis.zremrangebyscore(key, '-inf', now()).catch(() => undefined)
  }
  const timer = setInterval(refresh, ttlMs / 3)
  timer.unref()
  redis.on('ready', refresh)

  return {
    connected(agentId) {
      if (local.connect(agentId)) add([agentId])
    },
    disconnected(agentId) {
      if (local.disconnect(agentId)) remove([agentId])
    },
    polled(agentId) {
      if (local.poll(agentId)) add([agentId])
    },
    async onlineAgentIds() {
      // A poller whose grace ran out leaves the shared set now, not only at the next refresh.
      const expired: string[] = []
      const ids = local.ids((id) => expired.push(id))
      remove(expired)
      try {
        for (const entry of await redis.zrangebyscore(key, now(), '+inf')) {
          const agentId = entry.slice(0, entry.lastIndexOf(' '))
          if (agentId) ids.add(agentId)
        }
      } catch {
        // Redis unreachable: this node's own agents are still a true answer, if a partial one.
      }
      return [...ids]
    },
    async close() {
      clearInterval(timer)
      const mine = [...local.ids(), ...pendingRemovals]
      if (redis.status === 'ready' && mine.length > 0) {
        await redis.zrem(key, ...mine.map(member)).catch(() => undefined)
      }
      await endRedis(redis)
    },
  }
}
