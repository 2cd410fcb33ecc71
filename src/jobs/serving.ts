import { SegueError } from '../core/errors.js'
import { opsMetrics } from '../ops/metrics.js'
import { readinessOf } from '../ops/readiness.js'
import type { SegueService } from '../service/service.js'
import { PostgresStore } from '../store/postgres.js'
import type { Store } from '../store/store.js'
import { QUEUE_SCHEMA, TRAIN_QUEUE } from './queue.js'

/**
 * A server that leaves training to `segue worker` (training: 'worker'): it needs the PostgreSQL store, where
 * the queue and the published versions live, and reports the queue's depth in its metrics (read at scrape
 * time; left out of a scrape before any worker has created the queue).
 */
export function followWorker(store: Store): void {
  if (!(store instanceof PostgresStore)) {
    throw new SegueError('E_BAD_ARGUMENT', `--training worker needs --store postgres://... (the worker publishes models there); this store is ${store.location}`)
  }
  const pool = store.pool
  opsMetrics.queueDepth(async () => {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state < 'active'`, [TRAIN_QUEUE])
    return Number(rows[0].n)
  }, TRAIN_QUEUE)
}

/**
 * /api/ready says what a worker-trained server serves, without holding readiness back: content recommendations
 * are a full service while no version is published (a fresh deployment), and gating on the worker would take
 * every server out of the balancer until the first fit.
 */
export function noteWorkerTraining(service: SegueService, name: string): void {
  readinessOf(service).note('collaborative', () => {
    const cf = service.collaborative
    return cf ? `serving ${cf.name} as published by segue worker` : `no ${name} version published by segue worker yet: serving content recommendations only`
  })
}
