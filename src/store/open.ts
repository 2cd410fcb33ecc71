import type { Store } from './store.js'
import { SqliteStore } from './sqlite.js'

/** True for the connection URLs that select the PostgreSQL store. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}

/**
 * Opens the store a location names: a PostgreSQL connection URL (postgres:// or postgresql://) or else the
 * path of a SQLite file. The PostgreSQL driver is only loaded when asked for.
 */
export async function openStore(location: string): Promise<Store> {
  if (isPostgresUrl(location)) {
    const { PostgresStore } = await import('./postgres.js')
    return PostgresStore.connect(location)
  }
  return new SqliteStore(location)
}
