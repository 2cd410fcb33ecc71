import { InvalidArgumentError, Option, type Command } from 'commander'
import { createServer } from 'node:net'
import { SegueError } from '../core/errors.js'
import { ProgressView } from './progress.js'
import { parseLogLevel } from '../ops/log-level.js'
import { isPostgresUrl } from '../store/open.js'

interface ServeOptions {
  port: number
  host: string
  store?: string
  storeReplica: string[]
  trustProxy?: string
  catalogue?: string
  listening?: string
  playlists?: string
  collaborative: boolean
  training: 'local' | 'worker'
  logLevel: string
}

/** E_BAD_ARGUMENT naming the address when something already listens there; port 0 is always free. */
async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return
  await new Promise<void>((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use (another segue?)' : `cannot be listened on: ${err.message}`
      reject(new SegueError('E_BAD_ARGUMENT', `${host}:${port} ${why}; choose another with --port or SEGUE_PORT`))
    })
    probe.listen(port, host, () => probe.close(() => resolve()))
  })
}

function logLevel(value: string): string {
  try {
    return parseLogLevel(value)
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message)
  }
}

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535 (0: any free port)')
  return n
}

/**
 * `segue serve`: the web app and HTTP API. The first start imports the bundled catalogue and listening data
 * and fits the models, with progress; later starts load what was saved. Ctrl-C during start-up stops safely;
 * once serving, Ctrl-C or SIGTERM close the server and the store cleanly.
 */
export function registerServeCommand(program: Command, globals: () => { home?: string; progress: boolean }): void {
  program
    .command('serve')
    .description('serve the web app and HTTP API (first start imports the bundled data and fits the models)')
    .option('--port <n>', 'TCP port (env SEGUE_PORT)', port, Number(process.env.SEGUE_PORT ?? 8737))
    .option('--host <address>', 'address to listen on', process.env.SEGUE_HOST ?? '127.0.0.1')
    .option('--store <url>', 'postgres://... to share one database between servers, or a SQLite file (env SEGUE_STORE)', process.env.SEGUE_STORE)
    .option('--store-replica <url>', 'postgres://... of a streaming standby of --store, for reads that tolerate lag (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--trust-proxy <addresses>', 'addresses or CIDRs of the proxies (haproxy) whose X-Forwarded-For names the client, comma-separated (env SEGUE_TRUST_PROXY)', process.env.SEGUE_TRUST_PROXY)
    .option('--catalogue <file>', 'catalogue to import when the store is empty (default: the bundled 114k tracks)')
    .option('--listening <path>', 'listening data for the collaborative model (default: bundled HetRec Last.fm 2K)')
    .option('--playlists <path>', 'playlists (MPD slices folder, challenge_set.json or the TSV layout): "Listeners like you" uses tracks that share playlists (env SEGUE_PLAYLISTS)', process.env.SEGUE_PLAYLISTS)
    .option('--no-collaborative', 'serve content-based recommendations only')
    .addOption(new Option('--training <where>', "local: fit the collaborative model here when none is saved; worker: never here, serve what `segue worker` publishes (env SEGUE_TRAINING)").choices(['local', 'worker']).default(process.env.SEGUE_TRAINING ?? 'local'))
    .option('--log-level <level>', 'pino JSON lines on stdout with request ids: fatal, error, warn, info (every request), debug, trace or silent (env SEGUE_LOG_LEVEL)', logLevel, process.env.SEGUE_LOG_LEVEL ?? 'info')
    .action(async (o: ServeOptions) => {
      const g = globals()
      // SEGUE_LOG_LEVEL arrives as the default, which commander does not check: checked here, before any work.
      parseLogLevel(o.logLevel)
      // Fail in a moment, not after loading the models, when the port is taken.
      await checkPortFree(o.host, o.port)
      const progress = new ProgressView(g.progress)
      const startup = new AbortController()
      const stopStartup = () => {
        process.stderr.write('\nstopping safely...\n')
        startup.abort()
      }
      process.once('SIGINT', stopStartup)
      const started = Date.now()
      // The service and the HTTP server (fastify, schemas) load only here: other commands never pay for them.
      const [{ SegueService }, { listen }] = await Promise.all([import('../service/service.js'), import('../server/listen.js')])
      const service = await SegueService.start({
        home: g.home,
        store: o.store,
        storeReplicas: o.storeReplica,
        catalogue: o.catalogue,
        listening: o.collaborative ? o.listening : null,
        playlists: o.collaborative ? o.playlists : undefined,
        training: o.training,
        onProgress: progress.update,
        signal: startup.signal,
        log: (m) => {
          progress.stop()
          process.stderr.write(`segue: ${m}\n`)
        },
      }).finally(() => {
        progress.stop()
        process.off('SIGINT', stopStartup)
      })
      let url: string
      let close: () => Promise<void>
      // With a PostgreSQL store, published model versions are followed (src/rollout); closed before the store.
      // Only then is src/rollout loaded: it brings the PostgreSQL driver, which a SQLite server never needs.
      const rollout = !isPostgresUrl(service.store.location) ? null : await (await import('../rollout/serve.js')).startRollout(service, (m) => process.stderr.write(`segue: ${m}\n`)).catch(async (err) => {
        await service.close()
        throw err
      })
      try {
        const served = await listen(service, { port: o.port, host: o.host, trustProxy: o.trustProxy, logger: { level: o.logLevel } })
        url = served.url
        close = () => served.app.close()
      } catch (err) {
        await rollout?.close()
        await service.close()
        throw err
      }
      process.stderr.write(`segue: ready in ${((Date.now() - started) / 1000).toFixed(1)} s: open ${url}\n`)
      await new Promise<void>((resolve) => {
        const shutdown = () => {
          process.stderr.write('segue: shutting down\n')
          resolve()
        }
        process.once('SIGINT', shutdown)
        process.once('SIGTERM', shutdown)
      })
      await close()
      await rollout?.close()
      await service.close()
    })
}
