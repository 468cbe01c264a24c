import { randomUUID } from 'node:crypto'
import type { StreamItem } from '@causette/transport/protocol'
import { Redis } from 'ioredis'

/** What nodes tell each other: a stream moved, or an ephemeral signal. */
export type FanoutMessage =
  | { readonly kind: 'items'; readonly stream: string; readonly items: readonly StreamItem[] }
  | { readonly kind: 'signal'; readonly topic: string; readonly body: unknown }

/**
 * A doorbell between server nodes. Only a doorbell: a node that misses a message (Redis
 * restart, partition) is brought back to the store's truth by cursors and `seq` gaps, and by
 * `onReconnect`, after which it replays every followed stream from the store.
 */
export interface Fanout {
  /** Delivers on this node at once, and to every other node. */
  publish(message: FanoutMessage): void
  onMessage(listener: (message: FanoutMessage) => void): () => void
  /** Called when the link to the other nodes came back after a break: messages may be lost. */
  onReconnect(listener: () => void): () => void
  close(): Promise<void>
}

function listeners<T extends unknown[]>() {
  const set = new Set<(...args: T) => void>()
  return {
    add(listener: (...args: T) => void) {
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    emit(...args: T) {
      for (const listener of set) listener(...args)
    },
  }
}

/** One process: publishing is delivering. */
export function createLocalFanout(): Fanout {
  const messages = listeners<[FanoutMessage]>()
  return {
    publish: (message) => messages.emit(message),
    onMessage: messages.add,
    onReconnect: () => () => undefined,
    close: async () => undefined,
  }
}

/** Ends an ioredis client whether or not it is connected: `quit` alone keeps reconnecting. */
export async function endRedis(client: Redis): Promise<void> {
  if (client.status !== 'ready') return client.disconnect()
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise((r) => setTimeout(r, 1_000)),
  ])
  client.disconnect()
}

/** Client settings for links that must fail fast instead of queueing while Redis is away. */
export const redisFailFast = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
  keepAlive: 10_000,
} as const

/**
 * Several nodes over Redis pub/sub. Publishing never waits for Redis and never queues while it
 * is down (that would grow without bound): a lost doorbell is repaired by a resync. A node
 * resyncs itself when its subscription comes back after any break (an error, or a clean close
 * such as a Redis restart or a killed client), and a node whose publish failed asks every node
 * to resync once its publisher is back, since it is the others that missed its doorbells.
 */
export function createRedisFanout(options: {
  readonly url: string
  /** @default 'causette:fanout' */
  readonly channel?: string
  readonly log?: { warn(obj: object, msg: string): void }
}): Fanout {
  const channel = options.channel ?? 'causette:fanout'
  const node = randomUUID()
  const messages = listeners<[FanoutMessage]>()
  const reconnects = listeners<[]>()
  const publisher = new Redis(options.url, {
    ...redisFailFast,
    connectionName: `causette-pub:${channel}`,
  })
  const subscriber = new Redis(options.url, {
    ...redisFailFast,
    enableOfflineQueue: true,
    commandTimeout: undefined,
    connectionName: `causette-sub:${channel}`,
  })
  let subscriberLost = false
  let publishFailed = false
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) => {
      options.log?.warn({ err: error.message }, 'redis fan-out link is down')
    })
  }
  subscriber.on('close', () => {
    subscriberLost = true
  })
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        // Only once subscribed again: a resync before that could miss what happens meanwhile.
        if (!subscriberLost) return
        subscriberLost = false
        reconnects.emit()
      },
      () => undefined,
    )
  })
  publisher.on('ready', () => {
    if (!publishFailed) return
    publishFailed = false
    publisher.publish(channel, JSON.stringify({ node, resync: true })).catch(() => {
      publishFailed = true
    })
  })
  subscriber.on('message', (_channel: string, text: string) => {
    try {
      const envelope = JSON.parse(text) as {
        node: string
        message?: FanoutMessage
        resync?: boolean
      }
      if (envelope.node === node) return
      if (envelope.resync) reconnects.emit()
      else if (envelope.message) messages.emit(envelope.message)
    } catch {
      // Not ours, or garbage: a doorbell can be ignored.
    }
  })
  return {
    publish(message) {
      messages.emit(message)
      publisher.publish(channel, JSON.stringify({ node, message })).catch(() => {
        publishFailed = true
      })
    },
    onMessage: messages.add,
    onReconnect: reconnects.add,
    async close() {
      await Promise.all([endRedis(publisher), endRedis(subscriber)])
    },
  }
}
