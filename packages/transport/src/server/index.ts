export type { MemoryStreams } from './create-memory-streams.js'
export { createMemoryStreams } from './create-memory-streams.js'
export type {
  AppendResult,
  Authenticated,
  TransportHooks,
  TransportLogger,
  TransportServer,
  TransportServerOptions,
  TransportStats,
} from './create-transport-server.js'
export { createTransportServer, transportServerDefaults } from './create-transport-server.js'
export type { TokenBucket } from './token-bucket.js'
export { createTokenBucket } from './token-bucket.js'
