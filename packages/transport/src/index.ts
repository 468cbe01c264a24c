export type { BackoffOptions } from './client/backoff.js'
export { backoffDefaults, backoffDelay, retryDelay } from './client/backoff.js'
export type { Timers } from './client/channel.js'
export type {
  ConnectionState,
  ConnectOptions,
  LifecycleTarget,
  SendResult,
  Transport,
} from './client/connect.js'
export { connect, connectDefaults } from './client/connect.js'
export { createId } from './client/create-id.js'
export type { OutboxEntry, StorageLike } from './client/outbox.js'
export type { FetchLike } from './client/poll-channel.js'
export type { TransportErrorCode } from './client/transport-error.js'
export { ClientErrorCodes, TransportError } from './client/transport-error.js'
export type { WebSocketConstructor, WebSocketLike } from './client/ws-channel.js'
export type { StreamItem } from './protocol/frames.js'
