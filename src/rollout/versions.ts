import { createHash } from 'node:crypto'
import { hostname, userInfo } from 'node:os'
import type pg from 'pg'
import { SegueError } from '../core/errors.js'

/**
 * Versioned model artifacts in PostgreSQL: every published version is kept (so a rollback needs no file), one
 * version per name is active, and each change of the active version is announced on the `segue_models`
 * channel in the transaction that makes it, so a server is told exactly when the change is visible.
 */

/** The LISTEN/NOTIFY channel; its payload is `{"name","version"}`. */
export const MODELS_CHANNEL = 'segue_models'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS model_versions (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  sha256 TEXT NOT NULL,
  bytes BYTEA NOT NULL,
  meta JSONB NOT NULL,
  published_by TEXT NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS model_active (
  name TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS model_servers (
  server_id TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER,
  loaded_at TIMESTAMPTZ,
  seen_at TIMESTAMPTZ NOT NULL,
  error TEXT,
  PRIMARY KEY (server_id, name)
);
`
/** Serialises the first CREATE TABLE of several servers starting at once (concurrent DDL can collide). */
const SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('segue:rollout-schema'))"
/** One publish or rollback per model name at a time, across servers and CLIs: versions stay gap-free and ordered. */
const NAME_LOCK = "SELECT pg_advisory_xact_lock(hashtext('segue:model:' || $1))"

export interface ModelVersion {
  name: string
  version: number
  createdAt: string
  sha256: string
  size: number
  meta: Record<string, unknown>
  publishedBy: string
  active: boolean
}

export interface ServerSeen {
  serverId: string
  name: string
  version: number | null
  loadedAt: string | null
  seenAt: string
  error: string | null
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

const ready = new WeakSet<pg.Pool>()

/** Creates the rollout tables on first use by this pool (the module owns them, not the store's schema). */
export async function ensureRolloutSchema(pool: pg.Pool): Promise<void> {
  if (ready.has(pool)) return
  await inTransaction(pool, async (c) => {
    await c.query(SCHEMA_LOCK)
    await c.query(SCHEMA)
  })
  ready.add(pool)
}

/**
 * Stores `bytes` as the next version of `name`, makes it active and notifies every server, all in one
 * transaction: a server that hears the notification finds the version committed.
 */
export async function publishModel(pool: pg.Pool, name: string, bytes: Uint8Array, meta: Record<string, unknown>, opts: { publishedBy?: string } = {}): Promise<number> {
  checkName(name)
  await ensureRolloutSchema(pool)
  return inTransaction(pool, async (c) => {
    await c.query(NAME_LOCK, [name])
    const { rows } = await c.query<{ next: number }>('SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE name = $1', [name])
    const version = rows[0].next
    await c.query(
      'INSERT INTO model_versions (name, version, sha256, bytes, meta, published_by) VALUES ($1, $2, $3, $4, $5, $6)',
      [name, version, sha256Hex(bytes), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), JSON.stringify(meta), opts.publishedBy ?? publisher()],
    )
    await activate(c, name, version)
    return version
  })
}

/**
 * Makes the version before the active one active again and notifies every server. Versions whose bytes no
 * longer match their recorded sha256 are passed over (every server would refuse them). E_NOT_FOUND when none is left.
 */
export async function rollbackModel(pool: pg.Pool, name: string): Promise<number> {
  checkName(name)
  await ensureRolloutSchema(pool)
  return inTransaction(pool, async (c) => {
    await c.query(NAME_LOCK, [name])
    const active = await activeVersion(c, name)
    if (active === null) throw new SegueError('E_NOT_FOUND', `no version of the model '${name}' has been published`)
    const { rows } = await c.query<{ version: number }>(
      "SELECT MAX(version) AS version FROM model_versions WHERE name = $1 AND version < $2 AND encode(sha256(bytes), 'hex') = sha256", [name, active],
    )
    const previous = rows[0].version
    if (previous === null) throw new SegueError('E_NOT_FOUND', `the model '${name}' has no intact version before v${active} to roll back to`)
    await activate(c, name, previous)
    return previous
  })
}

/** The active version of `name` with its checksum (not its bytes), or null when none was published. */
export async function activeModel(pool: pg.Pool, name: string): Promise<ModelVersion | null> {
  await ensureRolloutSchema(pool)
  const { rows } = await pool.query<VersionRow>(`${VERSION_COLUMNS} FROM model_versions v JOIN model_active a USING (name, version) WHERE name = $1`, [name])
  return rows.length === 0 ? null : versionOf(rows[0], true)
}

/** Every published version, by name then newest first. */
export async function listModelVersions(pool: pg.Pool): Promise<ModelVersion[]> {
  await ensureRolloutSchema(pool)
  const { rows } = await pool.query<VersionRow & { is_active: boolean }>(
    `${VERSION_COLUMNS}, a.version IS NOT NULL AS is_active FROM model_versions v LEFT JOIN model_active a USING (name, version) ORDER BY name, version DESC`,
  )
  return rows.map((r) => versionOf(r, r.is_active))
}

/** Every model's active version number. */
export async function activeVersions(pool: pg.Pool): Promise<Map<string, number>> {
  await ensureRolloutSchema(pool)
  const { rows } = await pool.query<{ name: string; version: number }>('SELECT name, version FROM model_active')
  return new Map(rows.map((r) => [r.name, r.version]))
}

/** One version's bytes and the checksum recorded when it was published; E_NOT_FOUND when there is no such version. */
export async function readModelVersion(pool: pg.Pool, name: string, version: number): Promise<{ bytes: Buffer; sha256: string; meta: Record<string, unknown> }> {
  const { rows } = await pool.query<{ bytes: Buffer; sha256: string; meta: Record<string, unknown> }>(
    'SELECT bytes, sha256, meta FROM model_versions WHERE name = $1 AND version = $2', [name, version],
  )
  if (rows.length === 0) throw new SegueError('E_NOT_FOUND', `the model '${name}' has no version ${version}`)
  return rows[0]
}

/** Records which version of `name` this server serves now (the heartbeat of GET /api/models). */
export async function recordServing(pool: pg.Pool, s: Omit<ServerSeen, 'seenAt'>): Promise<void> {
  await pool.query(
    `INSERT INTO model_servers (server_id, name, version, loaded_at, seen_at, error) VALUES ($1, $2, $3, $4, now(), $5)
     ON CONFLICT (server_id, name) DO UPDATE SET version = EXCLUDED.version, loaded_at = EXCLUDED.loaded_at, seen_at = now(), error = EXCLUDED.error`,
    [s.serverId, s.name, s.version, s.loadedAt, s.error],
  )
}

/** Removes this server's rows when it stops, so GET /api/models lists only servers that are up. */
export async function forgetServer(pool: pg.Pool, serverId: string): Promise<void> {
  await pool.query('DELETE FROM model_servers WHERE server_id = $1', [serverId])
}

/** Servers heard from within `withinSeconds`, with the version each serves. */
export async function serversSeen(pool: pg.Pool, withinSeconds: number): Promise<ServerSeen[]> {
  await ensureRolloutSchema(pool)
  const { rows } = await pool.query<{ server_id: string; name: string; version: number | null; loaded_at: Date | null; seen_at: Date; error: string | null }>(
    "SELECT server_id, name, version, loaded_at, seen_at, error FROM model_servers WHERE seen_at > now() - make_interval(secs => $1) ORDER BY server_id, name",
    [withinSeconds],
  )
  return rows.map((r) => ({ serverId: r.server_id, name: r.name, version: r.version, loadedAt: r.loaded_at?.toISOString() ?? null, seenAt: r.seen_at.toISOString(), error: r.error }))
}

const VERSION_COLUMNS = 'SELECT v.name, v.version, v.created_at, v.sha256, octet_length(v.bytes) AS size, v.meta, v.published_by'
interface VersionRow { name: string; version: number; created_at: Date; sha256: string; size: number; meta: Record<string, unknown>; published_by: string }

function versionOf(r: VersionRow, active: boolean): ModelVersion {
  return { name: r.name, version: r.version, createdAt: r.created_at.toISOString(), sha256: r.sha256, size: Number(r.size), meta: r.meta, publishedBy: r.published_by, active }
}

async function activeVersion(c: pg.PoolClient, name: string): Promise<number | null> {
  const { rows } = await c.query<{ version: number }>('SELECT version FROM model_active WHERE name = $1', [name])
  return rows[0]?.version ?? null
}

/** Sets the active version and queues the notification, which PostgreSQL delivers when the transaction commits. */
async function activate(c: pg.PoolClient, name: string, version: number): Promise<void> {
  await c.query(
    'INSERT INTO model_active (name, version, changed_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, changed_at = now()',
    [name, version],
  )
  await c.query('SELECT pg_notify($1, $2)', [MODELS_CHANNEL, JSON.stringify({ name, version })])
}

/** Names appear in URLs, metrics labels and file names: kept to a safe alphabet. */
function checkName(name: string): void {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) {
    throw new SegueError('E_BAD_ARGUMENT', `'${name}' is not a model name (letters, digits, '.', '_' and '-', at most 64)`)
  }
}

function publisher(): string {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // no user entry for this uid (a container): the host alone still says where it came from
  }
  return `${user}@${hostname()}`
}

async function inTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect()
  try {
    await c.query('BEGIN')
    const out = await work(c)
    await c.query('COMMIT')
    return out
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    c.release()
  }
}
