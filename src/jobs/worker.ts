import type PgBoss from 'pg-boss'
import pg from 'pg'
import { SegueError, isSegueError } from '../core/errors.js'
import type { Progress } from '../core/progress.js'
import { opsMetrics } from '../ops/metrics.js'
import { openQueue, queueDepth, TRAIN_QUEUE, type QueueOptions, type TrainJobData } from './queue.js'
import { trainAndPublish, type TrainOutcome } from './train-job.js'

/** What `segue worker` needs. */
export interface WorkerOptions extends QueueOptions {
  /** The PostgreSQL store: queue, published versions and servers all live there. */
  store: string
  home: string
  /** Listening data source, as `serve --listening`. */
  listening?: string
  /** Retraining schedule: a cron string with the job it sends, or 'off' to remove the schedule. */
  schedule?: { cron: string; job: TrainJobData } | 'off'
  /** One line per event of a job (taken, progress, published, failed). */
  log: (line: string) => void
  /** Called once a job ends (tests wait on it). */
  onJobEnd?: (id: string, outcome: TrainOutcome | Error) => void
}

/** A progress line per phase at most this often (plus the last of each phase): a log, not a progress bar. */
const PROGRESS_LINE_MS = 1_000
/** After its handler returns, how long to wait for pg-boss to record a job's end before closing the connection. */
const SETTLE_MS = 5_000

type MetaJob = PgBoss.JobWithMetadata<TrainJobData>

/**
 * `segue worker`: takes training jobs from the queue one at a time, fits each on the home's listening data and
 * publishes the result. stop('finish') lets the current job end first; stop('abandon') interrupts it, and the
 * queue retries it (with backoff) on this or another worker.
 */
export class TrainingWorker {
  private current: { id: string; abort: AbortController; done: Promise<unknown> } | null = null
  private stopping: Promise<void> | null = null

  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly opts: WorkerOptions,
  ) {}

  static async start(opts: WorkerOptions): Promise<TrainingWorker> {
    const boss = await openQueue(opts.store, { ...opts, worker: true })
    const pool = new pg.Pool({ connectionString: opts.store, application_name: 'segue-worker', max: 2 })
    const worker = new TrainingWorker(boss, pool, opts)
    try {
      await worker.applySchedule()
      // Jobs abandoned by a dead worker go back to the queue now, not at the next maintenance round.
      await boss.expire()
      opsMetrics.queueDepth(() => queueDepth(boss), TRAIN_QUEUE)
      await boss.work<TrainJobData>(TRAIN_QUEUE, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: opts.pollSeconds ?? 2 }, (jobs) => worker.run(jobs[0]))
    } catch (err) {
      await worker.close()
      throw err
    }
    opts.log(`worker: waiting for jobs on ${TRAIN_QUEUE}`)
    return worker
  }

  /** Stops taking jobs; 'finish' waits for the current one, 'abandon' interrupts it so that it is retried. */
  stop(mode: 'finish' | 'abandon'): Promise<void> {
    // Taken now: an abandoned job's run ends (and clears `current`) before shutdown gets to it.
    const last = this.current
    if (mode === 'abandon') last?.abort.abort(new SegueError('E_INTERRUPTED', 'the worker was stopped; the job will be retried'))
    this.stopping ??= this.shutdown(last)
    return this.stopping
  }

  private async shutdown(last: TrainingWorker['current']): Promise<void> {
    await this.boss.offWork(TRAIN_QUEUE)
    last ??= this.current
    if (last) {
      this.opts.log(`job ${last.id}: ${last.abort.signal.aborted ? 'abandoning' : 'finishing'} before the worker stops`)
      await last.done.catch(() => {})
      await this.settled(last.id)
    }
    await this.close(last?.abort.signal.aborted)
  }

  private async close(abandoned = false): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true })
    // An abandoned job's query may still hold a connection (waiting on a lock, say): not waited for.
    const ended = this.pool.end()
    if (!abandoned) await ended
  }

  private async applySchedule(): Promise<void> {
    const s = this.opts.schedule
    if (s === 'off') {
      await this.boss.unschedule(TRAIN_QUEUE)
      return this.opts.log('worker: retraining schedule removed')
    }
    if (s) {
      await this.boss.schedule(TRAIN_QUEUE, s.cron, s.job, { singletonKey: s.job.model, tz: 'UTC' })
      return this.opts.log(`worker: retraining ${s.job.model} on the schedule '${s.cron}' (UTC)`)
    }
    const [existing] = await this.boss.getSchedules()
    if (existing) this.opts.log(`worker: retraining schedule '${existing.cron}' (${JSON.stringify(existing.data)}) is in force`)
  }

  /** One job: progress lines, the outcome as the job's output, an error (so it is retried) when it fails. */
  private async run(job: MetaJob): Promise<TrainOutcome> {
    const abort = new AbortController()
    const deadline = AbortSignal.timeout(job.expireInSeconds * 1000)
    const signal = AbortSignal.any([abort.signal, deadline])
    const attempt = `attempt ${job.retryCount + 1} of ${job.retryLimit + 1}`
    const started = performance.now()
    // Settles as soon as the job is abandoned or times out, even while a query of it still waits.
    const done = untilAborted(this.train(job, signal), signal)
    this.current = { id: job.id, abort, done }
    this.opts.log(`job ${job.id}: training ${job.data.model} ${JSON.stringify(job.data.params)} (${attempt})`)
    try {
      const outcome = await done
      const seconds = (performance.now() - started) / 1000
      this.opts.log(`job ${job.id}: published ${outcome.model} version ${outcome.version} (fit ${outcome.fitSeconds.toFixed(2)} s, job ${seconds.toFixed(2)} s)`)
      opsMetrics.trainingDuration(outcome.model, outcome.fitSeconds)
      this.opts.onJobEnd?.(job.id, outcome)
      return outcome
    } catch (err) {
      const error = deadline.aborted ? new SegueError('E_INTERRUPTED', `the job ran past its ${job.expireInSeconds} s limit (expireInSeconds)`) : (err as Error)
      const next = job.retryCount < job.retryLimit ? 'it will be retried' : 'no retries left: failed'
      this.opts.log(`job ${job.id}: ${isSegueError(error) ? error.code + ': ' : ''}${error.message} (${attempt}; ${next})`)
      this.opts.onJobEnd?.(job.id, error)
      throw error
    } finally {
      this.current = null
    }
  }

  private train(job: MetaJob, signal: AbortSignal): Promise<TrainOutcome> {
    const ctx = { home: this.opts.home, listening: this.opts.listening, pool: this.pool }
    const warn = (m: string) => this.opts.log(`job ${job.id}: warning: ${m}`)
    return trainAndPublish(ctx, job.data, { signal, onProgress: progressLines(job.id, this.opts.log), warn })
  }

  /** Waits until pg-boss has written the job's end (it does so without awaiting), so closing cannot lose it. */
  private async settled(id: string): Promise<void> {
    const until = Date.now() + SETTLE_MS
    while (Date.now() < until) {
      const job = await this.boss.getJobById(TRAIN_QUEUE, id, { includeArchive: true })
      if (!job || job.state !== 'active') return
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new SegueError('E_INTERRUPTED', 'the job was interrupted'))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

function progressLines(id: string, log: (line: string) => void): (p: Progress) => void {
  let phase = ''
  let done = -1
  let shown = 0
  return (p) => {
    const now = Date.now()
    const last = p.total > 0 && p.done >= p.total
    if (p.phase === phase && (p.done === done || (!last && now - shown < PROGRESS_LINE_MS))) return
    phase = p.phase
    done = p.done
    shown = now
    log(`job ${id}: ${p.phase} ${p.done}/${p.total}`)
  }
}
