import PgBoss from 'pg-boss'
import pg from 'pg'
import { SegueError } from '../core/errors.js'
import { isPostgresUrl } from '../store/open.js'

/** The training queue; pg-boss keeps it in its own schema beside segue's tables. */
export const TRAIN_QUEUE = 'segue-train'
export const QUEUE_SCHEMA = 'pgboss'

/** What a training job carries: the model to fit and its parameters (the worker's home supplies the data). */
export interface TrainJobData {
  model: string
  params: Record<string, unknown>
}

/** How a job is retried and when a silent one is taken back. */
export interface JobPolicy {
  /** Retries after the first attempt before the job is failed for good. */
  retryLimit: number
  /** Seconds before the first retry; doubled (with jitter) for each later one. */
  retryDelay: number
  /**
   * Seconds a job may stay active. Past it, the job counts as abandoned (its worker died) and is retried by
   * the next worker: it must exceed the longest fit, or a slow fit is trained twice.
   */
  expireInSeconds: number
}

/** Three retries 30 s, ~1 min, ~2 min apart ride out a restart of the database; a real fault fails in minutes. */
export const DEFAULT_POLICY: JobPolicy = { retryLimit: 3, retryDelay: 30, expireInSeconds: 30 * 60 }

/** Options for opening the queue: `worker` instances also expire abandoned jobs and run schedules. */
export interface QueueOptions {
  worker?: boolean
  /** Workers: seconds between checks for abandoned jobs (pg-boss maintenance); default 30. */
  reclaimEverySeconds?: number
  /** Workers: seconds between polls for new jobs; default 2. */
  pollSeconds?: number
}

const DEFAULT_RECLAIM_SECONDS = 30

/** E_BAD_ARGUMENT unless the store is PostgreSQL: the queue lives there. */
export function requirePostgres(store: string | undefined, flag: string): string {
  if (!store || !isPostgresUrl(store)) {
    throw new SegueError('E_BAD_ARGUMENT', `${flag} needs --store postgres://... (the training queue lives in PostgreSQL)`)
  }
  return store
}

/**
 * A started pg-boss over the store's database with the training queue created (idempotent). The queue is
 * 'stately': per model (the singleton key) at most one job waits and one runs, so a second enqueue while one
 * waits is dropped and two workers never fit the same model at once.
 */
export async function openQueue(url: string, opts: QueueOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    application_name: opts.worker ? 'segue-worker' : 'segue',
    max: opts.worker ? 4 : 2,
    supervise: opts.worker ?? false,
    schedule: opts.worker ?? false,
    maintenanceIntervalSeconds: opts.reclaimEverySeconds ?? DEFAULT_RECLAIM_SECONDS,
    pollingIntervalSeconds: opts.pollSeconds ?? 2,
  })
  boss.on('error', (err) => process.emitWarning(`training queue: ${err.message}`))
  await boss.start()
  await boss.createQueue(TRAIN_QUEUE, { name: TRAIN_QUEUE, policy: 'stately', ...toPgBoss(DEFAULT_POLICY) })
  return boss
}

function toPgBoss(p: JobPolicy) {
  return { retryLimit: p.retryLimit, retryDelay: p.retryDelay, retryBackoff: true, expireInSeconds: p.expireInSeconds }
}

/** The outcome of an enqueue: the new job's id, or the id of the job of this model that already waits. */
export type Enqueued = { id: string; added: true } | { id: string | null; added: false }

export async function enqueueTraining(boss: PgBoss, data: TrainJobData, policy: Partial<JobPolicy> = {}): Promise<Enqueued> {
  const id = await boss.send(TRAIN_QUEUE, data, { ...toPgBoss({ ...DEFAULT_POLICY, ...policy }), singletonKey: data.model })
  if (id) return { id, added: true }
  return { id: await waitingJob(boss, data.model), added: false }
}

async function waitingJob(boss: PgBoss, model: string): Promise<string | null> {
  const { rows } = await boss.getDb().executeSql(
    `SELECT id FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND singleton_key = $2 AND state < 'active' ORDER BY created_on LIMIT 1`,
    [TRAIN_QUEUE, model],
  )
  return (rows[0]?.id as string | undefined) ?? null
}

/** One job as `segue jobs list` shows it. */
export interface JobRow {
  id: string
  model: string
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed'
  attempts: number
  createdOn: string
  startedOn: string | null
  completedOn: string | null
  /** Seconds from start to completion (completed and failed jobs). */
  seconds: number | null
  /** The job's output: the published version, or the error of a failed attempt. */
  output: unknown
}

/** The newest jobs of the training queue (archived ones included), newest first; [] before any queue exists. */
export async function listJobs(url: string, limit = 50): Promise<JobRow[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'segue' })
  await client.connect()
  try {
    const exists = await client.query(`SELECT to_regclass('${QUEUE_SCHEMA}.job') IS NOT NULL AS ok`)
    if (!exists.rows[0].ok) return []
    const cols = `id, singleton_key, data, state::text AS state, retry_count, created_on, started_on, completed_on, output`
    const { rows } = await client.query(
      `SELECT * FROM (SELECT ${cols} FROM ${QUEUE_SCHEMA}.job WHERE name = $1
         UNION ALL SELECT ${cols} FROM ${QUEUE_SCHEMA}.archive WHERE name = $1) j
       ORDER BY created_on DESC LIMIT $2`,
      [TRAIN_QUEUE, limit],
    )
    return rows.map(jobRow)
  } finally {
    await client.end()
  }
}

function jobRow(r: Record<string, unknown>): JobRow {
  const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null)
  const started = r.started_on as Date | null
  const done = r.completed_on as Date | null
  const state = r.state as JobRow['state']
  return {
    id: r.id as string,
    model: (r.singleton_key as string | null) ?? (r.data as TrainJobData | null)?.model ?? '?',
    state,
    attempts: Number(r.retry_count) + (started ? 1 : 0),
    createdOn: iso(r.created_on)!,
    startedOn: iso(started),
    completedOn: iso(done),
    seconds: started && done ? (done.getTime() - started.getTime()) / 1000 : null,
    output: r.output ?? null,
  }
}

/** Jobs waiting to run (created or waiting for a retry): the queue depth metric. */
export async function queueDepth(boss: PgBoss): Promise<number> {
  return boss.getQueueSize(TRAIN_QUEUE, { before: 'active' })
}
