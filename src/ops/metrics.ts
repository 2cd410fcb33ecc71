import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * segue's Prometheus metrics: one registry per process, so the hooks below can be called from anywhere (the
 * model rollout when a swap lands, the training worker, the stores' callers) without holding the app.
 * `GET /metrics` (src/server/routes-ops.ts) serves `registry.metrics()` in the text exposition format.
 */
export const registry = new Registry()
collectDefaultMetrics({ register: registry, prefix: 'segue_' })

/**
 * Latency buckets in seconds: most answers take 1-50 ms (similar tracks, recommendations from a warm cache),
 * playlists and charts up to a second or two; 10 s catches a request stuck behind a slow store.
 */
const HTTP_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Training takes seconds (HetRec Last.fm) to tens of minutes (the 1M-playlist ALS). */
const TRAINING_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600]

/** The route label of requests that matched no route: raw URLs would make one time series per URL. */
export const UNMATCHED_ROUTE = 'unmatched'

const httpRequests = new Counter({
  name: 'segue_http_requests_total',
  help: 'HTTP requests answered, by route pattern, method and status class (2xx, 4xx, ...)',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
})
const httpDuration = new Histogram({
  name: 'segue_http_request_duration_seconds',
  help: 'Time from receiving a request to sending its answer, by route pattern and method',
  labelNames: ['route', 'method'] as const,
  buckets: HTTP_BUCKETS,
  registers: [registry],
})
const modelVersions = new Gauge({
  name: 'segue_model_version',
  help: 'The version of each model this server serves (set when a new version is swapped in)',
  labelNames: ['name'] as const,
  registers: [registry],
})
const modelLoadedAt = new Gauge({
  name: 'segue_model_loaded_timestamp_seconds',
  help: 'When the version of each model this server serves was swapped in (Unix time)',
  labelNames: ['name'] as const,
  registers: [registry],
})
const trainingSeconds = new Histogram({
  name: 'segue_training_duration_seconds',
  help: 'How long fitting a model took, by model name',
  labelNames: ['name'] as const,
  buckets: TRAINING_BUCKETS,
  registers: [registry],
})
const storeErrors = new Counter({
  name: 'segue_store_errors_total',
  help: 'Store failures (E_STORE), by what was being done',
  labelNames: ['operation'] as const,
  registers: [registry],
})
const impressionsDropped = new Counter({
  name: 'segue_impressions_dropped_total',
  help: 'Impressions not recorded for online evaluation: the buffer was full or a write failed',
  registers: [registry],
})

/** Reads the depth of one queue; async allowed (a count in PostgreSQL). */
export type DepthReader = () => number | Promise<number>
const depthReaders = new Map<string, DepthReader>()
new Gauge({
  name: 'segue_queue_depth',
  help: 'Jobs waiting in each queue, read when metrics are scraped',
  labelNames: ['queue'] as const,
  registers: [registry],
  async collect() {
    this.reset()
    for (const [queue, read] of depthReaders) {
      try {
        this.set({ queue }, await read())
      } catch {
        // A queue that cannot be read right now is left out of this scrape rather than failing all of it.
      }
    }
  },
})

/**
 * The request counter's and histogram's series per route, method and status, looked up once: labelling by object
 * on every request made prom-client sort and join the label values each time.
 * Bounded by the routes' patterns times methods times status codes.
 */
const httpSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>()

/** A status code's class: "2xx", "4xx"... */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`
}

/** The hooks other parts call. Each is cheap (a map lookup and an add) and never throws. */
export const opsMetrics = {
  /** One answered HTTP request; `route` is the route's pattern (/api/tracks/:id), never the raw URL. */
  httpRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`
    let series = httpSeries.get(key)
    if (!series) httpSeries.set(key, (series = { count: httpRequests.labels(route, method, statusClass(status)), duration: httpDuration.labels(route, method) }))
    series.count.inc()
    series.duration.observe(seconds)
  },
  /** A model version was swapped in (ROLLOUT calls this); a version that is not a number is shown as 0. */
  modelVersion(name: string, version: number | string): void {
    const n = typeof version === 'number' ? version : Number(version)
    modelVersions.set({ name }, Number.isFinite(n) ? n : 0)
    modelLoadedAt.set({ name }, Date.now() / 1000)
  },
  /** A model finished fitting (WORKER calls this). */
  trainingDuration(name: string, seconds: number): void {
    trainingSeconds.observe({ name }, seconds)
  },
  /** Registers (or, with a new reader, replaces) how to read a queue's depth at scrape time. */
  queueDepth(read: DepthReader, queue = 'segue-train'): void {
    depthReaders.set(queue, read)
  },
  /** A store operation failed. */
  storeError(operation: string): void {
    storeErrors.inc({ operation })
  },
  /** Impressions that online evaluation will not see. */
  impressionsDropped(count: number): void {
    if (count > 0) impressionsDropped.inc(count)
  },
}

/** Everything in the registry in Prometheus' text format, and the content type to send it with. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() }
}
