import { execFile, execFileSync } from 'node:child_process'
import { accessSync, appendFileSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

/** A throwaway PostgreSQL server on 127.0.0.1, reachable without a password. */
export interface PgCluster {
  /** The connection URL of a database (default: `postgres`). */
  url(dbName?: string): string
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>
  /** Stops the server at once and deletes its files. */
  stop(): Promise<void>
}

/** initdb and pg_ctl refuse to run as root; this OS user runs them instead. */
const SERVICE_USER = 'postgres'

/**
 * Starts a fresh cluster in a temporary directory, or says why it cannot (no PostgreSQL binaries on PATH, or
 * running as root without a `postgres` user), so the tests that need it can skip with that reason. Any other
 * failure is an error naming the step and its output. The cluster is stopped when the process exits, even if a
 * test forgets to call stop().
 */
export async function startPgCluster(): Promise<PgCluster | { skip: string }> {
  const initdb = findOnPath('initdb')
  const pgCtl = findOnPath('pg_ctl')
  if (!initdb || !pgCtl) return { skip: `PostgreSQL binaries (initdb, pg_ctl) not found on PATH: ${process.env.PATH ?? ''}` }
  const owner = await clusterOwner()
  if ('skip' in owner) return owner

  const dir = mkdtempSync(join(tmpdir(), 'segue-pg-'))
  const dataDir = join(dir, 'data')
  const logFile = join(dir, 'server.log')
  const exec = (file: string, args: string[]) => runAs(owner.asUser, file, args, dir)
  /** Synchronous so that it can also run from the exit hook. */
  const teardown = () => {
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      execFileSync(...commandAs(owner.asUser, pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop']), { cwd: dir, stdio: 'pipe' })
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const exitHook = onExit(teardown)

  let port: number
  try {
    if (owner.asUser) await step('chown the cluster directory', () => run('chown', [SERVICE_USER, dir]))
    const collation = await collationArgs(initdb)
    await step('initdb', () => exec(initdb, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', ...collation]))
    port = await freePort()
    appendFileSync(join(dataDir, 'postgresql.conf'), serverSettings(port, dir))
    await step('pg_ctl start', () => exec(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']), () => tail(logFile))
  } catch (error) {
    exitHook.cancel()
    try {
      teardown()
    } catch (teardownError) {
      throw new AggregateError([error, teardownError], 'starting a test PostgreSQL cluster failed, and so did removing it')
    }
    throw error
  }

  const url = (dbName = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${dbName}`
  return {
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
      } finally {
        await client.end()
      }
      return url(name)
    },
    async stop() {
      exitHook.cancel()
      teardown()
    },
  }
}

export function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this PATH entry; try the next
    }
  }
  return null
}

/** As root, commands run as SERVICE_USER through runuser; otherwise as ourselves. */
export async function clusterOwner(): Promise<{ asUser: boolean } | { skip: string }> {
  if (process.getuid?.() !== 0) return { asUser: false }
  try {
    await run('id', ['-u', SERVICE_USER])
  } catch (cause) {
    return { skip: `running as root, and no '${SERVICE_USER}' user was found to run initdb as: ${(cause as Error).message}` }
  }
  return { asUser: true }
}

export function commandAs(asUser: boolean, file: string, args: string[]): [string, string[]] {
  return asUser ? ['runuser', ['-u', SERVICE_USER, '--', file, ...args]] : [file, args]
}

function runAs(asUser: boolean, file: string, args: string[], cwd: string) {
  return run(...commandAs(asUser, file, args), { cwd })
}

/**
 * The database's default collation sorts ids by language rules (ICU en-US), as a typical production database
 * does, rather than by bytes. That way the tests prove the store orders ids by bytes on its own. ICU as the
 * default provider needs PostgreSQL 15; older servers keep the plain C.UTF-8 locale.
 */
async function collationArgs(initdb: string): Promise<string[]> {
  const { stdout } = await run(initdb, ['--version'])
  const major = Number(/(\d+)(\.\d+)?/.exec(stdout)?.[1])
  const base = ['--encoding=UTF8', '--locale=C.UTF-8']
  return major >= 15 ? [...base, '--locale-provider=icu', '--icu-locale=en-US'] : base
}

/** Settings for a disposable test server: local TCP only, socket in our own directory, no durability. */
function serverSettings(port: number, socketDir: string): string {
  return [
    '',
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    '',
  ].join('\n')
}

/** A port nobody listens on right now: the OS picks one for a throwaway server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port was assigned'))))
    })
  })
}

/** Runs one setup step; a failure names the step and carries the command's stderr and any extra detail. */
export async function step<T>(name: string, work: () => Promise<T>, detail?: () => string): Promise<T> {
  try {
    return await work()
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim()
    const extra = [stderr ? `stderr: ${stderr}` : '', detail?.() ?? ''].filter(Boolean).join('\n')
    throw new Error(`starting a test PostgreSQL cluster: ${name} failed: ${(cause as Error).message}${extra ? '\n' + extra : ''}`, { cause })
  }
}

export function tail(file: string): string {
  return existsSync(file) ? `server log:\n${readFileSync(file, 'utf8').split('\n').slice(-20).join('\n')}` : ''
}

/**
 * Runs `cleanUp` once when the process exits or is interrupted; the server is a separate daemon and would
 * otherwise outlive the tests. Exit handlers must be synchronous, which is why `cleanUp` is.
 */
export function onExit(cleanUp: () => void): { cancel(): void } {
  const onSignal = (signal: NodeJS.Signals) => {
    cancel()
    cleanUp()
    process.kill(process.pid, signal)
  }
  const cancel = () => {
    process.off('exit', cleanUp)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  process.once('exit', cleanUp)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return { cancel }
}
