import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type pg from 'pg'
import { SegueError } from '../core/errors.js'
import { redactor } from '../store/redact.js'
import type { RateCounter, WindowCount } from './limits-shared.js'

/**
 * One row per (scope, key, window). UNLOGGED: a counter does not need to survive a database crash (the worst
 * case is a fresh budget), and skipping the WAL makes each increment cheaper; unlogged tables are also not
 * shipped to replicas, which never read them.
 */
const TABLE = `
CREATE UNLOGGED TABLE IF NOT EXISTS segue_rate_counts (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  win BIGINT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (scope, key, win)
)`

/** Serialises the CREATE when several servers start at once (CREATE ... IF NOT EXISTS can still race). */
const TABLE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('segue:rate-counts'))"

/**
 * The database's clock, in ms: every server counts in the same windows whatever its own clock says. `win` is the
 * window's number (ms since the epoch / window length), so windows turn at the same instant for every server.
 */
const NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint'

/** One round trip: adds one to the key's count in the current window (creating it at 1) and returns it. */
const HIT = `
WITH t AS (SELECT ${NOW} AS ms)
INSERT INTO segue_rate_counts AS c (scope, key, win, n)
SELECT $1, $2, t.ms / $3::bigint, 1 FROM t
ON CONFLICT (scope, key, win) DO UPDATE SET n = c.n + 1
RETURNING n, (c.win + 1) * $3::bigint - (SELECT ms FROM t) AS ms_left`

/** The key's count in the current window (0 when it has none), by primary key. */
const COUNT = `
WITH t AS (SELECT ${NOW} AS ms)
SELECT coalesce((SELECT n FROM segue_rate_counts WHERE scope = $1 AND key = $2 AND win = t.ms / $3::bigint), 0) AS n,
       (t.ms / $3::bigint + 1) * $3::bigint - t.ms AS ms_left
FROM t`

/** Windows before the current one are over: their rows go, one statement per scope and window. */
const SWEEP = `DELETE FROM segue_rate_counts WHERE scope = $1 AND win < ${NOW} / $2::bigint`

const ready = new WeakMap<pg.Pool, Promise<void>>()

/** Creates the table once per pool (and once per database, under the lock). */
function ensureTable(pool: pg.Pool): Promise<void> {
  let done = ready.get(pool)
  if (!done) {
    done = createTable(pool)
    ready.set(pool, done)
    done.catch(() => ready.delete(pool))
  }
  return done
}

async function createTable(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(TABLE_LOCK)
    await client.query(TABLE)
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/**
 * Fixed-window counts kept in PostgreSQL, so every server sharing the database draws on one budget per key: N
 * servers give the same limits as one. Each counted request costs one round trip (an upsert-increment that
 * returns the new count); a read of a count is one primary-key lookup. Rows of windows that are over are
 * deleted by the first hit of each new window, so the table holds about one window's keys.
 */
export class PgWindowCounter implements RateCounter {
  private sweptWindow = -1

  constructor(
    private readonly pool: pg.Pool,
    /** What is counted ('writes', 'auth-failures', ...): counters of different scopes never share a row. */
    private readonly scope: string,
    readonly windowMs: number,
  ) {}

  async hit(key: string): Promise<WindowCount> {
    const result = await this.run('count a request', HIT, [this.scope, key, this.windowMs])
    this.sweep()
    return result
  }

  count(key: string): Promise<WindowCount> {
    return this.run('read a request count', COUNT, [this.scope, key, this.windowMs])
  }

  private async run(what: string, sql: string, params: unknown[]): Promise<WindowCount> {
    try {
      await ensureTable(this.pool)
      const { rows } = await this.pool.query<{ n: number; ms_left: string }>(sql, params)
      return { count: Number(rows[0].n), secondsLeft: Math.max(1, Math.ceil(Number(rows[0].ms_left) / 1000)) }
    } catch (cause) {
      throw new SegueError('E_STORE', `${what} in PostgreSQL failed: ${this.redact((cause as Error).message)}`, { cause })
    }
  }

  /** The driver's text can name the host and port; answers and logs must not. */
  private redact(message: string): string {
    return redactor((this.pool as { options?: { connectionString?: string } }).options?.connectionString ?? '')(message)
  }

  /** At most once per window per server: delete the rows of windows that are over. Failures only warn. */
  private sweep(): void {
    const win = Math.floor(Date.now() / this.windowMs)
    if (win === this.sweptWindow) return
    this.sweptWindow = win
    this.pool.query(SWEEP, [this.scope, this.windowMs]).catch((err: Error) => process.emitWarning(`sweeping old rate-limit counts failed: ${this.redact(err.message)}`))
  }
}

/**
 * A store for @fastify/rate-limit (its `store` option) over PgWindowCounter: the per-address limits of routes
 * such as listener creation are then shared by every server too. The plugin builds one per route with child().
 */
export function pgRateLimitStore(pool: pg.Pool): FastifyRateLimitStoreCtor {
  type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void
  class PgRateLimitStore implements FastifyRateLimitStore {
    constructor(_opts: unknown, private readonly scope = 'route') {}
    incr(key: string, cb: Callback, timeWindow: number): void {
      this.counter(timeWindow).hit(key).then((c) => cb(null, toPlugin(c)), (err: Error) => cb(err))
    }
    read(key: string, cb: Callback, timeWindow: number): void {
      this.counter(timeWindow).count(key).then((c) => cb(null, toPlugin(c)), (err: Error) => cb(err))
    }
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): PgRateLimitStore {
      // Typed as the route, but at run time the plugin passes the merged limit options with the route under routeInfo.
      const route = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo
      return new PgRateLimitStore(undefined, `route:${String(route?.method ?? '')} ${String(route?.url ?? '')}`)
    }
    private readonly counters = new Map<number, PgWindowCounter>()
    private counter(windowMs: number): PgWindowCounter {
      let c = this.counters.get(windowMs)
      if (!c) this.counters.set(windowMs, (c = new PgWindowCounter(pool, `${this.scope}:${windowMs}`, windowMs)))
      return c
    }
  }
  return PgRateLimitStore
}

function toPlugin(c: WindowCount): { current: number; ttl: number } {
  return { current: c.count, ttl: c.secondsLeft * 1000 }
}
