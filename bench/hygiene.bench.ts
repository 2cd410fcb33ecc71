// Cost of list hygiene (src/rerank/hygiene.ts) on the bundled 114k catalogue (89,741 tracks), and how many
// tracks each rule flags. Lists classify rows lazily, as they look at them; this times classifying every row
// at once (a cold cache: a fresh copy of the tracks array per round), beside recordingKeys, the per-catalogue
// pass every list already depends on, in interleaved rounds so machine drift hits both alike. Also the
// per-request cost: a listener's allowance and the filter over 1,000 rows.
// Environment: BENCH_ROUNDS (default 7).
import { join } from 'node:path'
import { packageRoot } from '../src/core/paths.js'
import { readCatalogue } from '../src/data/read-catalogue.js'
import { HYGIENE_RULES, classifyCatalogue, hygieneFilter, hygieneRulesOf } from '../src/rerank/hygiene.js'
import { recordingKeys } from '../src/rerank/recording.js'
import { Rng } from '../src/core/rng.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const { tracks } = await readCatalogue(join(packageRoot(), 'data', 'spotify-tracks-114k', 'dataset.csv.gz'))

const classifyMs: number[] = []
const keysMs: number[] = []
let sink = 0
for (let r = 0; r < ROUNDS; r++) {
  const a = tracks.slice()
  let t0 = performance.now()
  sink += classifyCatalogue(a)[0]
  classifyMs.push(performance.now() - t0)
  const b = tracks.slice()
  t0 = performance.now()
  sink += recordingKeys(b).length
  keysMs.push(performance.now() - t0)
}

const rng = new Rng(7)
const rows = Array.from({ length: 1000 }, () => rng.int(tracks.length))
const positives = Array.from({ length: 50 }, () => rng.int(tracks.length))
classifyCatalogue(tracks)
const filterMs: number[] = []
for (let r = 0; r < ROUNDS * 5; r++) {
  const t0 = performance.now()
  const keep = hygieneFilter(tracks, positives)
  for (const row of rows) sink += keep(row) ? 1 : 0
  filterMs.push(performance.now() - t0)
}

const counts = new Map<string, number>()
let flagged = 0
for (const t of tracks) {
  const hits = hygieneRulesOf(t)
  if (hits.length > 0) flagged++
  for (const h of hits) counts.set(h, (counts.get(h) ?? 0) + 1)
}

const table: Row[] = [
  { what: 'classify every row (cold)', median_ms: +median(classifyMs).toFixed(1), rounds: ROUNDS },
  { what: 'recordingKeys (baseline, cold)', median_ms: +median(keysMs).toFixed(1), rounds: ROUNDS },
  { what: 'allowance of 50 positives + filter 1,000 rows (warm)', median_ms: +median(filterMs).toFixed(3), rounds: ROUNDS * 5 },
  ...HYGIENE_RULES.map((r) => ({ what: `rule ${r.name} (${r.cls})`, tracks: counts.get(r.name) ?? 0 })),
  { what: 'tracks flagged by any rule', tracks: flagged, of: tracks.length },
]
report('hygiene', table, { ratio_classify_to_recording_keys: +(median(classifyMs) / median(keysMs)).toFixed(3), sink })
