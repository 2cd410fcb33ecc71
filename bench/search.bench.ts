// Per-query cost of text search over the bundled 114k catalogue (89,741 tracks): the typed-array index
// (src/search) against the MiniSearch index it replaced (prefix + fuzzy 0.2, rebuilt here as the same-process
// baseline), on normal queries and on hostile ones. Also: build, save and load times of the index, and the
// round trip of a search through the worker thread.
//
// Each query runs in interleaved rounds (new, old, new, old...) so machine drift hits both alike; figures are
// medians over rounds. The old index is not run on the two queries that held it for 20 s and 76 s (issue 8).
// Environment: BENCH_ROUNDS (default 25).
import MiniSearch from 'minisearch'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCatalogue } from '../src/data/read-catalogue.js'
import { packageRoot } from '../src/core/paths.js'
import type { Track } from '../src/core/track.js'
import { TrackSearch, normalizeText } from '../src/search/track-search.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25)
const NORMAL = ['bohemian rapsody', 'beyonce', 'humble', 'moonlight sonata', 'helo adel', 'clair de lune debussy', 'smells like teen spirit nirvana', 'love', 'daft punk']
const HOSTILE = ['a', 'a b c d e f g h i j k l m n o p', Array(100).fill('a').join(' '), 'the de la a of in you me', 'love live life remix version feat original remastered']
/** Queries the old index took seconds to tens of seconds on (issue 8): not repeated here. */
const OLD_TOO_SLOW = new Set(HOSTILE.slice(1))

/** The search as it was before issue 8 (MiniSearch, prefix + fuzzy 0.2, AND then OR, popularity boost). */
function oldSearch(tracks: readonly Track[]): (q: string) => number {
  const index = new MiniSearch<{ id: number; name: string; artists: string; album: string }>({
    fields: ['name', 'artists', 'album'],
    idField: 'id',
    processTerm: (term) => normalizeText(term),
    searchOptions: { boost: { name: 2, artists: 1.5, album: 0.5 }, prefix: true, fuzzy: 0.2 },
  })
  index.addAll(tracks.map((t, i) => ({ id: i, name: t.name, artists: t.artists.join(' '), album: t.album ?? '' })))
  const boostDocument = (id: unknown) => 1 + Math.log1p(tracks[id as number].popularity ?? 0) / 10
  return (q) => {
    let hits = index.search(q, { combineWith: 'AND', boostDocument })
    if (hits.length === 0) hits = index.search(q, { combineWith: 'OR', boostDocument })
    return hits.length ? (hits[0].id as number) : -1
  }
}

function ms(fn: () => unknown): number {
  const t = performance.now()
  fn()
  return performance.now() - t
}

async function main(): Promise<void> {
  const { tracks } = await readCatalogue(join(packageRoot(), 'data', 'spotify-tracks-114k', 'dataset.csv.gz'))
  let search!: TrackSearch
  const buildMs = ms(() => (search = new TrackSearch(tracks)))
  const dir = mkdtempSync(join(tmpdir(), 'segue-bench-search-'))
  const path = join(dir, 'search.art')
  const saveMs = ms(() => search.save(path, 'bench'))
  const loadMs = median(Array.from({ length: 5 }, () => ms(() => TrackSearch.load(path, 'bench', tracks))))
  rmSync(dir, { recursive: true, force: true })
  let old!: (q: string) => number
  const oldBuildMs = ms(() => (old = oldSearch(tracks)))

  const rows: Row[] = []
  for (const [kind, queries] of [['normal', NORMAL], ['hostile', HOSTILE]] as const) {
    for (const q of queries) {
      const times = { new: [] as number[], old: [] as number[] }
      const oldRounds = OLD_TOO_SLOW.has(q) ? 0 : q === 'a' ? 3 : ROUNDS
      for (let r = 0; r < ROUNDS; r++) {
        times.new.push(ms(() => search.search(q, { limit: 30 })))
        if (r < oldRounds) times.old.push(ms(() => old(q)))
      }
      const top = search.search(q, { limit: 1 })[0]?.track
      rows.push({
        kind,
        query: q.length > 40 ? `${q.slice(0, 37)}...` : q,
        newMedianMs: +median(times.new).toFixed(3),
        newMaxMs: +Math.max(...times.new).toFixed(3),
        oldMedianMs: times.old.length ? +median(times.old).toFixed(1) : null,
        speedup: times.old.length ? +(median(times.old) / median(times.new)).toFixed(1) : null,
        newTop: top ? `${top.name.slice(0, 30)} - ${top.artists[0] ?? ''}` : '',
      })
    }
  }
  search.startThread()
  while (!search.offThread) await new Promise((r) => setTimeout(r, 20))
  const roundTrip: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now()
    await search.searchAsync(HOSTILE[4], { limit: 30 })
    roundTrip.push(performance.now() - t)
  }
  await search.close()
  report('search', rows, {
    tracks: tracks.length,
    rounds: ROUNDS,
    buildMs: Math.round(buildMs),
    saveMs: Math.round(saveMs),
    loadMedianMs: Math.round(loadMs),
    oldMiniSearchBuildMs: Math.round(oldBuildMs),
    workerRoundTripMedianMs: +median(roundTrip).toFixed(2),
    note: 'ms per search on one thread, limit 30; old = MiniSearch prefix + fuzzy 0.2 as before issue 8 (not run on queries it took 20-76 s on)',
  })
}

await main()
