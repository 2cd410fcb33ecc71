import { execFile, execFileSync } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { clusterOwner, commandAs, findOnPath, freePort, onExit, step, tail, type PgCluster } from './pg-cluster.js'

const run = promisify(execFile)

/** A streaming standby of a test cluster (pg_basebackup -R), read-only, on its own port. */
export interface PgReplica {
  url(dbName?: string): string
  /** Stops replaying WAL: from then on the replica lags as far behind as the test wants. */
  pauseReplay(): Promise<void>
  resumeReplay(): Promise<void>
  /** Resolves once the replica has replayed everything the primary had committed when called. */
  catchUp(timeoutMs?: number): Promise<void>
  /** Stops the replica's server at once (a crash, as far as its clients can tell); its files stay for start(). */
  kill(): Promise<void>
  /** Starts a killed replica again. */
  start(): Promise<void>
  /** Stops it and deletes its files. */
  stop(): Promise<void>
}

/**
 * Copies `primary` with pg_basebackup -R (which writes the standby.signal and primary_conninfo) and starts the
 * copy as a hot standby on a free port, or says why it cannot. Stopped when the process exits.
 */
export async function startPgReplica(primary: PgCluster): Promise<PgReplica | { skip: string }> {
  const pgCtl = findOnPath('pg_ctl')
  const basebackup = pgCtl && siblingOrPath(pgCtl, 'pg_basebackup')
  if (!pgCtl || !basebackup) return { skip: `PostgreSQL binaries (pg_ctl, pg_basebackup) not found on PATH: ${process.env.PATH ?? ''}` }
  const owner = await clusterOwner()
  if ('skip' in owner) return owner
  const dir = mkdtempSync(join(tmpdir(), 'segue-pg-replica-'))
  const dataDir = join(dir, 'data')
  const logFile = join(dir, 'server.log')
  const exec = (file: string, args: string[]) => run(...commandAs(owner.asUser, file, args), { cwd: dir })
  const running = () => existsSync(join(dataDir, 'postmaster.pid'))
  const halt = () => {
    if (running()) execFileSync(...commandAs(owner.asUser, pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop']), { cwd: dir, stdio: 'pipe' })
  }
  const teardown = () => {
    halt()
    rmSync(dir, { recursive: true, force: true })
  }
  const exitHook = onExit(teardown)
  const primaryUrl = new URL(primary.url())
  const port = await freePort()
  const start = () => step('pg_ctl start (replica)', () => exec(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']), () => tail(logFile))
  try {
    if (owner.asUser) await step('chown the replica directory', () => run('chown', ['postgres', dir]))
    const from = `host=${primaryUrl.hostname} port=${primaryUrl.port} user=postgres`
    await step('pg_basebackup', () => exec(basebackup, ['-d', from, '-D', dataDir, '-R', '-X', 'stream', '--no-sync', '-c', 'fast']))
    appendFileSync(join(dataDir, 'postgresql.conf'), `\nport = ${port}\nunix_socket_directories = '${dir}'\nhot_standby = on\n`)
    await start()
  } catch (error) {
    exitHook.cancel()
    teardown()
    throw error
  }
  const url = (dbName = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${dbName}`
  const onReplica = (sql: string) => query(url(), sql)
  return {
    url,
    pauseReplay: async () => void (await onReplica('SELECT pg_wal_replay_pause()')),
    resumeReplay: async () => void (await onReplica('SELECT pg_wal_replay_resume()')),
    catchUp: (timeoutMs = 15_000) => catchUp(primary.url(), url(), timeoutMs),
    kill: async () => halt(),
    start: async () => void (await start()),
    stop: async () => {
      exitHook.cancel()
      teardown()
    },
  }
}

/** The tool beside `tool` (same PostgreSQL version), else on PATH. */
function siblingOrPath(tool: string, name: string): string | null {
  const beside = join(dirname(realpathSync(tool)), name)
  return existsSync(beside) ? beside : findOnPath(name)
}

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(sql, params)
  } finally {
    await client.end()
  }
}

async function catchUp(primaryUrl: string, replicaUrl: string, timeoutMs: number): Promise<void> {
  const { rows } = await query(primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn')
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await query(replicaUrl, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0].lsn])
    if (r.rows[0].done) return
    if (Date.now() > deadline) throw new Error(`the replica did not replay up to ${rows[0].lsn} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
