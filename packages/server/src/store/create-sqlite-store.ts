import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Sqlite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { openMigratedStore } from './create-sql-store.js'
import type { Database } from './schema.js'
import type { Store } from './store.js'

/**
 * Opens the SQLite file with the settings durability needs. WAL with `synchronous=FULL`: a
 * message is on disk before it is acknowledged, and survives a power cut, not only a crash.
 */
export function openSqlite(path: string): Sqlite.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const database = new Sqlite(path)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  return database
}

/** Opens (and creates, and migrates) the SQLite store at `path`. */
export async function createSqliteStore(path: string): Promise<Store> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path) }) })
  return openMigratedStore(db)
}
