// What operations cost (src/ops): per request, the metrics hook and noting a served list of 20 as impressions,
// beside a whole in-process request (GET /api/tracks/:id through fastify with every hook) as the baseline,
// rounds interleaved so machine drift hits all alike. Per store: writing one batch of 500 impressions and the
// online-evaluation query over a synthetic month (SQLite file in WAL mode with full sync, as served).
// Environment: BENCH_ROUNDS (default 7), BENCH_LISTENERS (default 2,000; each shown 20 tracks a day for 30 days).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../src/core/paths.js'
import { opsMetrics } from '../src/ops/metrics.js'
import { ImpressionRecorder } from '../src/ops/impressions.js'
import { createApp } from '../src/server/app.js'
import { SegueService } from '../src/service/service.js'
import { SqliteStore } from '../src/store/sqlite.js'
import type { Impression } from '../src/store/impressions.js'
import type { FeedbackKind } from '../src/store/store.js'
import { Rng } from '../src/core/rng.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 2_000)
const CALLS = 20_000
const DAYS = 30
const LIST = 20

const home = mkdtempSync(join(tmpdir(), 'segue-bench-ops-'))
const service = await SegueService.start({ home, catalogue: join(packageRoot(), 'test', 'fixtures', 'engine', 'catalogue.csv'), listening: null })
const app = await createApp(service, { webRoot: null })
const trackUrl = `/api/tracks/${service.view.tracks[0].id}`
const ids = Array.from({ length: LIST }, (_, i) => `track${i}`)
const recorder = new ImpressionRecorder({ recordImpressions: async (r) => r.length, pruneImpressions: async () => 0 }, { flushAt: Infinity, maxBuffered: Infinity })

const perCall = (ms: number, n: number) => (ms * 1e6) / n
const hookNs: number[] = []
const shownNs: number[] = []
const requestUs: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  let t0 = performance.now()
  for (let i = 0; i < CALLS; i++) opsMetrics.httpRequest('/api/tracks/:id', 'GET', 200, 0.003)
  hookNs.push(perCall(performance.now() - t0, CALLS))
  t0 = performance.now()
  for (let i = 0; i < CALLS; i++) recorder.shown('listener', 'hybrid', ids)
  shownNs.push(perCall(performance.now() - t0, CALLS))
  await recorder.flush()
  t0 = performance.now()
  for (let i = 0; i < 500; i++) await app.inject(trackUrl)
  requestUs.push(perCall(performance.now() - t0, 500) / 1000)
}
await recorder.close()
await app.close()
await service.close()

/** A month of impressions for LISTENERS listeners, and feedback on about 1 in 8 shown tracks. */
async function syntheticMonth(store: SqliteStore): Promise<number> {
  const rng = new Rng(13)
  const kinds: FeedbackKind[] = ['play', 'play', 'play', 'like', 'skip', 'dislike']
  let rows = 0
  for (let l = 0; l < LISTENERS; l++) {
    const id = `l${l}`
    await store.createListener({ id, name: null, tokenHash: 'f'.repeat(64), createdAt: '2026-11-01T00:00:00.000Z' })
    const shown: Impression[] = []
    const feedback: { trackId: string; kind: FeedbackKind; at: string }[] = []
    for (let d = 0; d < DAYS; d++) {
      const at = new Date(Date.UTC(2026, 10, 1 + d, 12)).toISOString()
      for (let k = 0; k < LIST; k++) {
        const trackId = `t${rng.int(5_000)}`
        shown.push({ listenerId: id, trackId, model: k % 2 === 0 ? 'hybrid' : 'content', at })
        if (rng.int(8) === 0) feedback.push({ trackId, kind: kinds[rng.int(kinds.length)], at: new Date(Date.parse(at) + 3_600_000).toISOString() })
      }
    }
    rows += await store.recordImpressions(shown)
    await store.appendFeedback(id, feedback)
  }
  return rows
}

const storeDir = mkdtempSync(join(tmpdir(), 'segue-bench-ops-store-'))
const store = new SqliteStore(join(storeDir, 'segue.db'))
const rows = await syntheticMonth(store)
const batch: Impression[] = Array.from({ length: 500 }, (_, i) => ({ listenerId: `l${i % LISTENERS}`, trackId: `x${i}`, model: 'hybrid', at: '2026-12-01T10:00:00.000Z' }))
const writeMs: number[] = []
const statsMs: number[] = []
let sink = 0
for (let r = 0; r < ROUNDS; r++) {
  let t0 = performance.now()
  sink += await store.recordImpressions(batch)
  writeMs.push(performance.now() - t0)
  t0 = performance.now()
  sink += (await store.onlineStats('2026-11-01')).length
  statsMs.push(performance.now() - t0)
}
await store.close()
rmSync(storeDir, { recursive: true, force: true })
rmSync(home, { recursive: true, force: true })

const table: Row[] = [
  { what: 'metrics hook per request (counter + histogram)', median_ns: Math.round(median(hookNs)), rounds: ROUNDS },
  { what: `impressions: note a served list of ${LIST}`, median_ns: Math.round(median(shownNs)), rounds: ROUNDS },
  { what: 'baseline: GET /api/tracks/:id in process, all hooks', median_ns: Math.round(median(requestUs) * 1000), rounds: ROUNDS },
  { what: 'SQLite: write a batch of 500 impressions', median_ms: +median(writeMs).toFixed(2), rounds: ROUNDS },
  { what: `SQLite: online stats over ${rows.toLocaleString()} impressions (${DAYS} days)`, median_ms: +median(statsMs).toFixed(1), rounds: ROUNDS },
]
report('ops', table, {
  hooks_share_of_request: +((median(hookNs) + median(shownNs)) / (median(requestUs) * 1000)).toFixed(4),
  sink,
})
