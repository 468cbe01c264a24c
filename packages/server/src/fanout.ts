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

/**
 * Several nodes over Redis pub/sub. Publishing never waits for Redis and never queues while it
 * is down (that would grow without bound): a lost doorbell is repaired by the replay on
 * reconnect.
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
  const redisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }
  const publisher = new Redis(options.url, redisOptions)
  const subscriber = new Redis(options.url, { ...redisOptions, enableOfflineQueue: true })
  let broken = false
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) => {
      broken = true
      options.log?.warn({ err: error.message }, 'redis fan-out link is down')
    })
  }
  subscriber.on('ready', () => {
    void subscriber.subscribe(channel).catch(() => undefined)
    if (broken) {
      broken = false
      reconnects.emit()
    }
  })
  subscriber.on('message', (_channel: string, text: string) => {
    try {
      const envelope = JSON.parse(text) as { node: string; message: FanoutMessage }
      if (envelope.node !== node) messages.emit(envelope.message)
    } catch {
      // Not ours, or garbage: a doorbell can be ignored.
    }
  })
  return {
    publish(message) {
      messages.emit(message)
      publisher.publish(channel, JSON.stringify({ node, message })).catch(() => {
        broken = true
      })
    },
    onMessage: messages.add,
    onReconnect: reconnects.add,
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()])
    },
  }
}
