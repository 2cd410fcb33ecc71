// In-process "for you" latency on the uncached path (issue 8 §5): every request names a new seed, as the HTTP
// bench's "fresh" rounds do, so only the recommender's own work is timed (no HTTP, no result cache).
//
//   BENCH_HOME=<a served home> node --import tsx bench/for-you-fresh.bench.ts   (without BENCH_HOME: a first start)
// Prints, per model and listener size, the median wall time and the main thread's CPU per request (the figure
// to compare on a busy machine); with BASE_SRC also the CPU ratio new/base, measured in the same process.
//   BASE_SRC=<an older tree's src/> ... also times that tree's ForYou (and its ArtistBridge, ArtistCatalogue and ALS)
//   over the same catalogue view, model and profiles, A/B interleaved, and checks both give the same lists.
//
// Listeners as in bench/http.bench.ts: 3 likes + 5 plays, and 2,000 events drawn from a pool of 500 popular
// tracks (10% likes, 80% plays, 7% skips, 3% dislikes).
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { tmpdir } from 'node:os'
import { pathToFileURL } from 'node:url'
import { toDense } from '../src/index/exact-sparse.js'
import { ArtistBridge } from '../src/service/artist-bridge.js'
import { ForYou, FOR_YOU_MODELS, type ForYouModel, type ForYouResult } from '../src/service/for-you.js'
import { ListenerHistory, type Profile } from '../src/service/profile.js'
import { SegueService } from '../src/service/service.js'
import type { FeedbackEvent, FeedbackKind } from '../src/store/store.js'

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300)
/** Requests per variant between CPU readings. */
const BLOCK = 25
const POOL = 500
/** BENCH_ONLY='hybrid 2000ev,content 8ev': just those rounds (to profile one). */
const ONLY = process.env.BENCH_ONLY?.split(',')
/**
 * BENCH_WARM_SEEDS=1: every seed of the pool is asked for once before timing, so its neighbour list is made, as
 * the HTTP bench's rotation over its pool has them: what is timed is then the request's work beyond the seed's search.
 */
const WARM_SEEDS = process.env.BENCH_WARM_SEEDS === '1'
const LONG_KINDS: FeedbackKind[] = [...Array(10).fill('like'), ...Array(80).fill('play'), ...Array(7).fill('skip'), ...Array(3).fill('dislike')]

type Recommend = (p: Profile, model: ForYouModel, n: number) => Promise<ForYouResult>

async function main(): Promise<void> {
  const from = process.env.BENCH_HOME
  const home = mkdtempSync(join(tmpdir(), 'segue-for-you-bench-'))
  if (from) cpSync(from, home, { recursive: true })
  else console.log(`no BENCH_HOME: first start on ${home} (import, fits and index, a minute or more)`)
  const service = await SegueService.start({ home })
  const view = service.view
  const cf = service.collaborative!
  const variants: [string, Recommend][] = [['new', recommender(new ForYou(view, new ArtistBridge(cf, view.tracks)))]]
  if (process.env.BASE_SRC) variants.unshift(['base', await baseRecommender(resolve(process.env.BASE_SRC), service)])
  let seed = 7
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const byPopularity = view.tracks.map((_, row) => row).sort((a, b) => (view.tracks[b].popularity ?? 0) - (view.tracks[a].popularity ?? 0) || a - b)
  const pool = byPopularity.slice(0, 5000).filter(() => rand() < 0.1).slice(0, POOL).map((row) => view.tracks[row].id)
  const pick = () => pool[Math.floor(rand() * pool.length)]
  const small = history(view, Array.from({ length: 8 }, (_, i) => ({ trackId: pick(), kind: i < 3 ? 'like' : 'play' })))
  const long = history(view, Array.from({ length: 2000 }, () => ({ trackId: pick(), kind: LONG_KINDS[Math.floor(rand() * LONG_KINDS.length)] })))
  for (const model of FOR_YOU_MODELS) {
    for (const [size, h] of [['8ev', small], ['2000ev', long]] as const) {
      if (ONLY && !ONLY.includes(`${model} ${size}`)) continue
      const times = new Map(variants.map(([name]) => [name, [] as number[]]))
      const cpu = new Map(variants.map(([name]) => [name, 0]))
      let differ = 0
      // Warm-up, not counted: the first requests build shared tables (artist sounds, unit rows) lazily.
      for (const [, run] of variants) for (let i = 0; i < (WARM_SEEDS ? pool.length : BLOCK); i++) await run(h.profile([pool[(pool.length - 1 - i) % pool.length]]), model, 10)
      // Blocks of BLOCK requests per variant, the variants' order alternating: the main thread's CPU time is
      // read per block (it ticks in 10 ms), so a busy machine's waits do not count, nor do other threads.
      for (let b = 0; b < REQUESTS; b += BLOCK) {
        const lists = new Map<string, string[]>()
        for (const [name, run] of (b / BLOCK) % 2 ? [...variants].reverse() : variants) {
          const out: string[] = []
          const c0 = mainThreadCpuMs()
          for (let i = b; i < Math.min(REQUESTS, b + BLOCK); i++) {
            const p = h.profile([pool[i % pool.length]])
            const t0 = performance.now()
            const r = await run(p, model, 10)
            times.get(name)!.push(performance.now() - t0)
            out.push(JSON.stringify(r.items.map((x) => [x.track.id, x.score.toFixed(6), x.reasons, x.because])))
          }
          cpu.set(name, cpu.get(name)! + mainThreadCpuMs() - c0)
          lists.set(name, out)
        }
        if (variants.length === 2) {
          const [x, y] = [...lists.values()]
          differ += x.filter((l, i) => l !== y[i]).length
        }
      }
      const figures = [...times].map(([name, t]) => `${name} ${median(t).toFixed(2)} ms (main-thread cpu ${(cpu.get(name)! / REQUESTS).toFixed(2)} ms)`).join(', ')
      const ratio = variants.length === 2 ? `; cpu new/base ${(cpu.get('new')! / cpu.get('base')!).toFixed(2)}` : ''
      console.log(`${model} ${size}: median ${figures}${ratio}${variants.length === 2 ? `; lists differ in ${differ} of ${REQUESTS}` : ''}`)
    }
  }
  await service.close()
  rmSync(home, { recursive: true, force: true })
}

function recommender(f: ForYou): Recommend {
  return (p, model, n) => f.recommend(p, model, n)
}

/** The older tree's ForYou over the same view (with its own ArtistCatalogue) and the same trained model. */
async function baseRecommender(src: string, service: SegueService): Promise<Recommend> {
  const load = (path: string) => import(pathToFileURL(join(src, path)).href)
  const [{ ForYou: BaseForYou }, { ArtistBridge: BaseBridge }, { ArtistCatalogue: BaseArtists }, { AlsRecommender: BaseAls }] = await Promise.all([
    load('service/for-you.ts'), load('service/artist-bridge.ts'), load('models/hybrid/artist-tracks.ts'), load('models/als/als.ts'),
  ])
  // The same fitted factors, served by that tree's ALS code.
  const trained = { ...service.collaborative!, model: BaseAls.load(service.collaborative!.model.save()) }
  const v = service.view
  const artists = new BaseArtists(v.tracks, toDense(v.artists.vectors), v.dims, v.dupKeys)
  const view = Object.create(v, { artists: { value: artists } })
  const f = new BaseForYou(view, new BaseBridge(trained, v.tracks))
  return (p, model, n) => f.recommend(p, model, n)
}

function history(view: SegueService['view'], events: { trackId: string; kind: FeedbackKind }[]): ListenerHistory {
  const h = new ListenerHistory(view)
  h.fold(events.map((e, i): FeedbackEvent => ({ ...e, seq: i + 1, listenerId: 'bench', at: '' }) as FeedbackEvent))
  return h
}

/** CPU time (user + system) of this process's main thread so far, from /proc (Linux), in clock ticks of 10 ms. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

await main()
