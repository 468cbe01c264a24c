import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { openMigratedStore } from './create-sql-store.js'
import type { Database } from './schema.js'
import type { Store } from './store.js'

export interface PostgresStoreOptions {
  /** `postgres://user@host:5432/db`. */
  readonly url: string
  /** Schema to use (created if missing): one per test, or per tenant. @default 'public' */
  readonly schema?: string
  /** Pool size per node. @default 10 */
  readonly poolSize?: number
}

/**
 * Opens (and migrates) the store on PostgreSQL: the same schema and query layer as SQLite.
 * A message is acknowledged after its transaction committed.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema ?? 'public'
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`)
  if (schema !== 'public') {
    const client = new pg.Client({ connectionString: options.url })
    await client.connect()
    try {
      await client.query(`create schema if not exists ${schema}`)
    } finally {
      await client.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    // A node frozen inside a transaction must not hold a conversation's row lock for ever, and
    // no query may wait for ever: the client retries, idempotently, elsewhere.
    options: `-c search_path=${schema} -c lock_timeout=5s -c statement_timeout=15s -c idle_in_transaction_session_timeout=10s`,
  })
  // A broken connection (server restart, network cut, pg_terminate_backend) must not crash the
  // process. Idle ones report on the pool; a checked-out one (between two queries of a
  // transaction) reports on the client, where an unhandled 'error' event would kill the node.
  // The query in flight still fails, and the pool discards the broken client on release.
  pool.on('error', () => undefined)
  pool.on('connect', (client) => {
    client.on('error', () => undefined)
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return openMigratedStore(db, { schema })
}
