import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import type { Track } from '../core/track.js'
import { featureIndex } from './features.js'
import { DEFAULT_MOOD_CONFIG, loadMoods, moodsKey, type SavedMoods } from './model.js'
import { MOODS, type Mood } from './moods.js'
import { nameByThresholds } from './naming.js'

/** Where the song moods live in a home (the CLI's `segue moods` and the server share the file). */
export function moodsArtifactPath(home: string): string {
  return join(home, 'artifacts', 'moods.art')
}

/** What the moods of a catalogue come from: the saved classifier, or (until it is built) the threshold rule. */
export type MoodSource = 'kmeans' | 'labels' | 'thresholds'

interface Catalogue {
  readonly tracks: readonly Track[]
  readonly rowOf: ReadonlyMap<string, number>
  readonly version: string
}

/**
 * Every catalogue track's mood probabilities and top mood, per row: what lists read to give each item its mood
 * chip (one byte per row, so `moodOfRow` costs an array read) and what mood filters test.
 */
export class CatalogueMoods {
  /** Per row, the index into MOODS of its most probable mood. */
  readonly top: Uint8Array
  readonly counts: Readonly<Record<Mood, number>>

  constructor(
    readonly cat: Catalogue,
    /** rows x 4 probabilities in MOODS order. */
    readonly proba: Float32Array,
    readonly source: MoodSource,
  ) {
    this.top = new Uint8Array(cat.tracks.length)
    const counts = Object.fromEntries(MOODS.map((m) => [m, 0])) as Record<Mood, number>
    for (let r = 0; r < this.top.length; r++) {
      let best = 0
      for (let c = 1; c < MOODS.length; c++) if (proba[r * MOODS.length + c] > proba[r * MOODS.length + best]) best = c
      this.top[r] = best
      counts[MOODS[best]]++
    }
    this.counts = counts
  }

  static fromSaved(cat: Catalogue, saved: SavedMoods): CatalogueMoods {
    return new CatalogueMoods(cat, saved.proba, saved.model.source)
  }

  /**
   * Each track's mood by the threshold rule on its own valence and energy (naming.ts), probability 1: the
   * stand-in a server uses on its first start while the classifier is built on another thread.
   */
  static fromThresholds(cat: Catalogue): CatalogueMoods {
    const [v, e] = [featureIndex('valence'), featureIndex('energy')]
    const proba = new Float32Array(cat.tracks.length * MOODS.length)
    cat.tracks.forEach((t, r) => { proba[r * MOODS.length + MOODS.indexOf(nameByThresholds(t.features[v], t.features[e]))] = 1 })
    return new CatalogueMoods(cat, proba, 'thresholds')
  }

  moodOfRow(row: number): Mood {
    return MOODS[this.top[row]]
  }

  /** The mood of a catalogue track by id; undefined for an id outside the catalogue. */
  moodOf(id: string): Mood | undefined {
    const row = this.cat.rowOf.get(id)
    return row === undefined ? undefined : MOODS[this.top[row]]
  }

  probability(row: number, mood: Mood): number {
    return this.proba[row * MOODS.length + MOODS.indexOf(mood)]
  }

  /** A predicate on rows: true for tracks whose top mood is `mood`. */
  is(mood: Mood): (row: number) => boolean {
    const c = MOODS.indexOf(mood)
    return (row) => this.top[row] === c
  }

  /** The shape journeys read (SavedMoods' probabilities). */
  get saved(): Pick<SavedMoods, 'proba'> {
    return { proba: this.proba }
  }
}

/**
 * The moods a server uses, swapped once when the classifier is ready: on a home that has the saved moods they
 * are loaded at once; otherwise the threshold rule serves while a worker thread builds and saves the k-means
 * moods (about 25 s on the 114k catalogue, which would otherwise hold every request).
 */
export class ServiceMoods {
  current: CatalogueMoods
  /** Resolves once the saved moods are in use (at once when they were loaded). */
  readonly ready: Promise<void>
  private worker: Worker | null = null

  constructor(readonly cat: Catalogue, home: string, log: (m: string) => void = () => {}) {
    SERVED.push(new WeakRef(this))
    const path = moodsArtifactPath(home)
    const expected = moodsKey(cat.version, DEFAULT_MOOD_CONFIG)
    const accept = (key: string, meta: Record<string, unknown>) => key === expected || (meta.source === 'labels' && key.startsWith(`${cat.version}:`))
    const saved = safeLoad(path, accept)
    if (saved) {
      this.current = CatalogueMoods.fromSaved(cat, saved)
      this.ready = Promise.resolve()
      return
    }
    this.current = CatalogueMoods.fromThresholds(cat)
    log(`moods: building the song-mood classifier in the background (threshold moods meanwhile) into ${path}`)
    this.ready = this.build(cat, path).then(
      () => {
        const built = safeLoad(path, accept)
        if (built) this.current = CatalogueMoods.fromSaved(cat, built)
      },
      (err: Error) => log(`warning: moods stay on the threshold rule: ${err.message}`),
    )
  }

  private build(cat: Catalogue, path: string): Promise<void> {
    const dims = cat.tracks[0]?.features.length ?? 0
    const features = new Float64Array(cat.tracks.length * dims)
    cat.tracks.forEach((t, r) => features.set(t.features, r * dims))
    this.worker = startWorker({ features, dims, version: cat.version, path })
    return new Promise<void>((resolve, reject) => {
      this.worker!.once('message', (m: { error?: string }) => (m.error ? reject(new Error(m.error)) : resolve()))
      this.worker!.once('error', reject)
      this.worker!.once('exit', (code) => reject(new Error(`the moods worker stopped (exit ${code})`)))
    }).finally(() => { void this.worker?.terminate(); this.worker = null })
  }

  /** Stops a build still running (the server is closing). */
  async close(): Promise<void> {
    await this.worker?.terminate()
    await this.ready
  }
}

/**
 * The moods of each live service, newest last: how a track item finds its mood chip (trackMood), by the track
 * being its catalogue's own object. One entry per service, not per track: a WeakMap entry for each of 90k tracks
 * cost a server start ~0.1 s of CPU and every later full garbage collection its ephemeron walk.
 */
const SERVED: WeakRef<ServiceMoods>[] = []

/** The served moods whose catalogue holds this very track object (the newest service first), with its row. */
function servedRow(t: Track): { moods: ServiceMoods; row: number } | undefined {
  for (let i = SERVED.length - 1; i >= 0; i--) {
    const moods = SERVED[i].deref()
    if (!moods) {
      SERVED.splice(i, 1)
      continue
    }
    const row = moods.cat.rowOf.get(t.id)
    if (row !== undefined && moods.cat.tracks[row] === t) return { moods, row }
  }
  return undefined
}

/**
 * A track's mood for API items: its top mood in the moods served for its catalogue (an array read after two
 * lookups), or for a track no server holds, the threshold rule on its own valence and energy.
 */
export function trackMood(t: Track): Mood {
  const at = servedRow(t)
  const served = at && at.moods.current.moodOfRow(at.row)
  return served ?? nameByThresholds(t.features[featureIndex('valence')], t.features[featureIndex('energy')])
}

function safeLoad(path: string, accept: Parameters<typeof loadMoods>[1]): SavedMoods | null {
  try {
    return loadMoods(path, accept)
  } catch {
    return null
  }
}

/** The worker's module: the compiled JavaScript beside this file, or the TypeScript through tsx (as search-thread.ts). */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./build-worker.js', import.meta.url), { workerData })
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const file = JSON.stringify(new URL('./build-worker.ts', import.meta.url).href)
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${file}) })`, { eval: true, workerData })
}
