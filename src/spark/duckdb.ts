import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../core/errors.js'

/** An in-memory DuckDB connection for one piece of work, closed after it (DuckDB is only the Parquet codec here). */
export async function withDuckDb<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    return await fn(connection)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/** A path as a SQL string literal. */
export function sqlPath(path: string): string {
  return `'${path.replaceAll("'", "''")}'`
}

/**
 * The Parquet part files of a directory written by Spark or by the export, sorted by name. Spark's own
 * bookkeeping (`_SUCCESS`, `.part-*.crc`) starts with `_` or `.` and is skipped, as Spark's reader skips it.
 */
export function partFiles(dir: string, what: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SegueError('E_INPUT_FILE', `${dir}: ${what} directory not found`, { location: { file: dir } })
  }
  const parts = readdirSync(dir).filter((f) => f.endsWith('.parquet') && !f.startsWith('_') && !f.startsWith('.')).sort()
  if (parts.length === 0) throw new SegueError('E_INPUT_FORMAT', `${dir}: no Parquet part files (part-*.parquet) in the ${what} directory`, { location: { file: dir } })
  return parts.map((f) => join(dir, f))
}

/** Runs `fn` on one file and turns DuckDB's failures into an error naming the file. */
export async function readingFile<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    if (cause instanceof SegueError) throw cause
    throw new SegueError('E_INPUT_FORMAT', `${file}: not readable as the expected Parquet (${(cause as Error).message.split('\n')[0]})`, { location: { file }, cause })
  }
}
