import { InvalidArgumentError, Option, type Command } from 'commander'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { SegueError } from '../core/errors.js'
import { DEFAULT_POLICY, enqueueTraining, listJobs, openQueue, requirePostgres, type JobPolicy, type JobRow, type TrainJobData } from '../jobs/queue.js'
import { scheduleCron } from '../jobs/schedule.js'
import { createModel, modelNames } from '../models/registry.js'
import { collectParam, parseParams } from './params.js'
import { wholeNumber, type Globals, type Print } from './shared.js'

const seconds = (max: number) => (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected whole seconds from 1 to ${max}`)
  return n
}
const count = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('expected a whole number from 0 to 100')
  return n
}

/** pg-boss refuses expirations of 24 hours or more. */
const MAX_EXPIRE_SECONDS = 24 * 3600 - 1

const storeOption = () => new Option('--store <url>', 'the PostgreSQL store (postgres://...) that holds the queue (env SEGUE_STORE)').default(process.env.SEGUE_STORE)

interface EnqueueOptions {
  store?: string
  model: string
  param?: string[]
  expireIn?: number
  retries?: number
  retryDelay?: number
}

/** A training job for the worker; shared by `segue train --enqueue` and `segue jobs enqueue`. */
export async function enqueueCommand(o: EnqueueOptions, g: Globals, print: Print): Promise<void> {
  const url = requirePostgres(o.store, '--enqueue')
  const job: TrainJobData = { model: o.model, params: parseParams(o.param) }
  if (!(modelNames() as readonly string[]).includes(job.model)) throw new SegueError('E_BAD_ARGUMENT', `the worker trains ${modelNames().join(', ')}; not '${job.model}'`)
  createModel(job.model, job.params) // refuses bad parameters now rather than on every retry of the job
  const policy: Partial<JobPolicy> = { expireInSeconds: o.expireIn, retryLimit: o.retries, retryDelay: o.retryDelay }
  const boss = await openQueue(url)
  try {
    const r = await enqueueTraining(boss, job, Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)))
    print(g, { ...r, job }, () => (r.added ? `queued job ${r.id}: train ${job.model} ${JSON.stringify(job.params)}` : `not queued: job ${r.id ?? '(just taken)'} for ${job.model} is already waiting`))
  } finally {
    await boss.stop({ graceful: false })
  }
}

/** Adds the job-policy options of an enqueue to a command. */
export function withPolicyOptions(cmd: Command): Command {
  return cmd
    .option('--expire-in <seconds>', `seconds a job may run before it counts as abandoned and is retried (default ${DEFAULT_POLICY.expireInSeconds})`, seconds(MAX_EXPIRE_SECONDS))
    .option('--retries <n>', `retries after a failed attempt (default ${DEFAULT_POLICY.retryLimit})`, count)
    .option('--retry-delay <seconds>', `seconds before the first retry, doubled for each later one (default ${DEFAULT_POLICY.retryDelay})`, seconds(MAX_EXPIRE_SECONDS))
}

interface WorkerCliOptions {
  store?: string
  listening?: string
  every?: string
  model: string
  param?: string[]
  reclaimEvery?: number
  poll?: number
  metricsPort?: number
  metricsHost: string
}

/** `segue worker` and `segue jobs list|enqueue`: training as a job, through a queue in PostgreSQL (pg-boss). */
export function registerWorkerCommands(program: Command, globals: () => Globals, print: Print): void {
  program
    .command('worker')
    .description('take training jobs from the queue in PostgreSQL one at a time, fit each and publish it to every server')
    .addOption(storeOption())
    .option('--listening <path>', 'listening data, as serve --listening (default: bundled HetRec Last.fm 2K)')
    .option('--every <interval>', "retrain on a schedule: 30m, 6h, 1d or a cron string (UTC); 'off' removes the schedule")
    .addOption(new Option('--model <name>', 'with --every: the model to retrain').choices(modelNames()).default('als'))
    .option('--param <key=value>', 'with --every: model parameter (repeatable)', collectParam)
    .option('--reclaim-every <seconds>', 'how often to look for jobs whose worker died (default 30)', seconds(3600))
    .option('--poll <seconds>', 'how often to ask for a new job (default 2)', seconds(60))
    .option('--metrics-port <n>', 'serve Prometheus metrics (fit durations, queue depth) at /metrics on this port (0: any free one)', port)
    .option('--metrics-host <address>', 'address for --metrics-port', '127.0.0.1')
    .action(async (o: WorkerCliOptions) => runWorkerCommand(o, globals()))

  const jobs = program.command('jobs').description('the training queue: list jobs, enqueue one')
  jobs
    .command('list')
    .description('jobs of the training queue, newest first: waiting, active, failed and completed, with durations')
    .addOption(storeOption())
    .option('--limit <n>', 'how many', wholeNumber(10_000), 50)
    .action(async (o: { store?: string; limit: number }) => {
      const g = globals()
      const rows = await listJobs(requirePostgres(o.store, 'jobs list'), o.limit)
      print(g, rows, () => formatJobs(rows))
    })
  withPolicyOptions(
    jobs
      .command('enqueue')
      .description('add a training job (as segue train --enqueue)')
      .addOption(storeOption())
      .addOption(new Option('--model <name>', 'model').choices(modelNames()).default('als'))
      .option('--param <key=value>', 'model parameter (repeatable)', collectParam),
  ).action(async (o: EnqueueOptions) => enqueueCommand(o, globals(), print))
}

async function runWorkerCommand(o: WorkerCliOptions, g: Globals): Promise<void> {
  const url = requirePostgres(o.store, 'segue worker')
  const schedule = o.every === undefined ? undefined : o.every === 'off' ? ('off' as const) : { cron: scheduleCron(o.every), job: { model: o.model, params: parseParams(o.param) } }
  const log = (line: string) => process.stderr.write(`segue: ${line}\n`)
  const home = resolve(g.home ?? process.env.SEGUE_HOME ?? '.segue')
  const { TrainingWorker } = await import('../jobs/worker.js')
  const worker = await TrainingWorker.start({ store: url, home, listening: o.listening, schedule, reclaimEverySeconds: o.reclaimEvery, pollSeconds: o.poll, log })
  if (o.metricsPort !== undefined) log(`worker: metrics at ${await serveMetrics(o.metricsHost, o.metricsPort)}`)
  await new Promise<void>((done) => {
    const abandon = () => {
      log('stopping now: the current job is abandoned and will be retried')
      void worker.stop('abandon').then(done)
    }
    process.once('SIGINT', () => {
      log('stopping after the current job (Ctrl-C again to abandon it; it will be retried)')
      process.once('SIGINT', abandon)
      void worker.stop('finish').then(done)
    })
    process.once('SIGTERM', abandon)
  })
  log('worker stopped')
  // Everything the worker owns is closed; a query of an abandoned job may still hold a socket open.
  process.exit(0)
}

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535 (0: any free port)')
  return n
}

/** GET /metrics for the worker process (the servers' own /metrics never see its fits); the URL it listens at. */
async function serveMetrics(host: string, port: number): Promise<string> {
  const { metricsText } = await import('../ops/metrics.js')
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') return void res.writeHead(404).end()
    metricsText().then(
      (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
      (err: Error) => res.writeHead(500).end(err.message),
    )
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve))
  server.unref()
  const a = server.address() as AddressInfo
  return `http://${host.includes(':') ? `[${host}]` : host}:${a.port}/metrics`
}

function formatJobs(rows: JobRow[]): string {
  if (rows.length === 0) return 'no training jobs yet'
  const lines = rows.map((r) => {
    const took = r.seconds === null ? '' : ` in ${r.seconds.toFixed(1)} s`
    const out = r.output as { version?: unknown; message?: unknown; value?: { message?: unknown } } | null
    const what = r.state === 'completed' && out?.version !== undefined ? ` -> version ${String(out.version)}`
      : (r.state === 'failed' || r.state === 'retry') ? `: ${String(out?.message ?? out?.value?.message ?? '')}` : ''
    return `${r.id}  ${r.model.padEnd(10)} ${r.state.padEnd(9)} attempts ${r.attempts}  created ${r.createdOn}${took}${what}`
  })
  const by = (s: JobRow['state'][]) => rows.filter((r) => s.includes(r.state)).length
  return [...lines, `waiting ${by(['created', 'retry'])}, active ${by(['active'])}, failed ${by(['failed'])}, completed ${by(['completed'])}`].join('\n')
}
