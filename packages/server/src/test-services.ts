import pg from 'pg'

/** The machine's PostgreSQL, for tests: `CAUSETTE_TEST_POSTGRES_URL` or the local default. */
export const postgresUrl =
  process.env.CAUSETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Why the Postgres tests cannot run here, or undefined when they can. With
 * CAUSETTE_REQUIRE_SERVICES=1 (CI) an unreachable server is a failure, not a skip.
 */
export async function postgresMissing(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 })
  try {
    await client.connect()
    await client.query('select 1')
    return undefined
  } catch (error) {
    const reason = `PostgreSQL not reachable at ${postgresUrl} (${error instanceof Error ? error.message : String(error)})`
    if (process.env.CAUSETTE_REQUIRE_SERVICES === '1') throw new Error(reason)
    return reason
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** A fresh schema name for one test; dropped by `dropSchema`. */
export function testSchema(): string {
  return `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
}

export async function dropSchema(schema: string) {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${schema} cascade`)
  } finally {
    await client.end()
  }
}

/** The machine's Redis, for tests: `CAUSETTE_TEST_REDIS_URL` or the local default. */
export const redisUrl = process.env.CAUSETTE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Why the Redis tests cannot run here, or undefined when they can (as `postgresMissing`). */
export async function redisMissing(): Promise<string | undefined> {
  const { Redis } = await import('ioredis')
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.ping()
    return undefined
  } catch (error) {
    const reason = `Redis not reachable at ${redisUrl} (${error instanceof Error ? error.message : String(error)})`
    if (process.env.CAUSETTE_REQUIRE_SERVICES === '1') throw new Error(reason)
    return reason
  } finally {
    client.disconnect()
  }
}
