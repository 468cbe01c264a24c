import type { ClientFrame, Cursors, ServerFrame } from '../protocol/frames.js'
import type { OutboxEntry } from './outbox.js'

/** One way of reaching the server: a WebSocket, or long-poll over fetch. */
export interface Channel {
  readonly via: 'ws' | 'poll'
  /** Sends every pending outbox entry that is not already in flight on this channel. */
  flush(): void
  /** Sends a control frame (`sub`, `unsub`, `signal`). */
  write(frame: Extract<ClientFrame, { t: 'sub' | 'unsub' | 'signal' }>): void
  /** Marks an entry as no longer in flight, so the next `flush` sends it again. */
  release(id: string): void
  /** Checks at once that the channel still works (network change, tab shown again). */
  probe(): void
  close(): void
}

/** What a channel needs from the connection that owns it. */
export interface ChannelContext {
  /** Credentials for `hello` or the Authorization header. */
  readonly token: string | undefined
  /** The cursors to resume from, read at each (re)connect or poll. */
  cursors(): Cursors
  /** Outbox entries not yet acknowledged, in order. */
  pending(): readonly OutboxEntry[]
  /** The channel completed an application-level round trip. */
  onHealthy(channel: Channel, welcome: { heartbeatMs: number; maxFrameBytes: number }): void
  onFrame(channel: Channel, frame: ServerFrame): void
  /** The channel is gone; `code` is a close code, `retryMs` a server hint. */
  onDown(channel: Channel, code: number, retryMs?: number): void
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}
