import { SegueError } from '../core/errors.js'
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
export async function openStore(location: string, opts: { replicas?: readonly string[]; onWarning?: (message: string) => void } = {}): Promise<Store> {
  if (opts.replicas?.length) return openReplicated(location, opts.replicas, opts.onWarning)
  if (isPostgresUrl(location)) {
    const { PostgresStore } = await import('./postgres.js')
    return PostgresStore.connect(location)
  }
  return new SqliteStore(location)
}

/** A PostgreSQL primary with read replicas (--store-replica); replicas need a PostgreSQL primary. */
async function openReplicated(location: string, replicas: readonly string[], onWarning = (m: string) => process.emitWarning(m)): Promise<Store> {
  if (!isPostgresUrl(location)) throw new SegueError('E_BAD_ARGUMENT', '--store-replica needs --store postgres://... (read replicas are PostgreSQL standbys)')
  const bad = replicas.find((r) => !isPostgresUrl(r))
  if (bad !== undefined) throw new SegueError('E_BAD_ARGUMENT', '--store-replica takes postgres:// URLs of standbys of the --store database')
  const { connectReplicated } = await import('./replicated.js')
  return connectReplicated(location, replicas, onWarning)
}
