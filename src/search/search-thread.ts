import { Worker } from 'node:worker_threads'
import { SegueError } from '../core/errors.js'
import type { Candidate } from './search-core.js'
import type { SearchArrays } from './search-index.js'
import type { Track } from '../core/track.js'

/**
 * Starts the worker's module: the compiled JavaScript beside this file or, when run from source, the
 * TypeScript through tsx (Node 20 workers do not inherit the parent's --import loader hooks).
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./search-worker.js', import.meta.url), { workerData })
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const file = JSON.stringify(new URL('./search-worker.ts', import.meta.url).href)
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${file}) })`, { eval: true, workerData })
}

/** Limits of the search thread's queue. */
export const THREAD_LIMITS = {
  /** Searches waiting or running at once; more are refused (429) rather than queued without bound. */
  maxQueued: 64,
  /** A search not answered by then is refused and the thread restarted (searches take milliseconds). */
  timeoutMs: 2_000,
} as const

/** The index arrays and popularity boosts in SharedArrayBuffers: sent to a worker without copying. */
export type SharedSearch = Omit<SearchArrays, 'terms'> & { dictionary: Uint8Array; popularityBoost: Float32Array; texts: Uint8Array }

export interface SearchJob {
  id: number
  words: string[]
  limit: number
}

export type SearchReply = { id: number; docs: Int32Array; scores: Float64Array } | { id: number; error: string }

interface Pending {
  resolve(c: Candidate[]): void
  reject(e: unknown): void
  timer: NodeJS.Timeout
}

type Shareable = Uint8Array | Uint32Array | Int32Array | Float32Array

/** `src` itself when it already lies in shared memory (an artifact loaded shared), else a copy in a SharedArrayBuffer. */
function share<T extends Shareable>(src: T): T {
  if (src.buffer instanceof SharedArrayBuffer) return src
  const Ctor = src.constructor as new (buffer: SharedArrayBuffer) => T
  const out = new Ctor(new SharedArrayBuffer(src.byteLength))
  out.set(src as never)
  return out
}

/** Separates a track's name and artists in its line of the shared texts (control characters never occur in them). */
export const TEXT_SEPARATOR = '\u001f'

/** A track's name and artists on one line. */
function trackLine(t: Track): string {
  return [t.name, ...t.artists].map((s) => s.replace(/[\n\u001f]/g, ' ')).join(TEXT_SEPARATOR)
}

/** Every track's line (trackLine), one per row, as UTF-8: what the worker re-ranks with. Saved with the index. */
export function encodeTrackLines(tracks: readonly Track[]): Uint8Array {
  return new TextEncoder().encode(tracks.map(trackLine).join('\n'))
}

/**
 * The arrays in shared memory: those already there (loaded from an artifact into a SharedArrayBuffer) as they
 * are, the rest copied once. `saved` gives the dictionary's and the track lines' bytes when the artifact held
 * them, so neither is made again from the terms and the tracks.
 */
export function shareSearch(a: SearchArrays, popularityBoost: Float32Array, tracks: readonly Track[], saved: { dictionary?: Uint8Array; texts?: Uint8Array } = {}): SharedSearch {
  const { terms, ...arrays } = a
  return {
    dictionary: share(saved.dictionary ?? new TextEncoder().encode(terms.join('\n'))),
    postStart: share(arrays.postStart),
    postDocs: share(arrays.postDocs),
    postFields: share(arrays.postFields),
    fieldLen: share(arrays.fieldLen),
    gramKeys: share(arrays.gramKeys),
    gramStart: share(arrays.gramStart),
    gramTerms: share(arrays.gramTerms),
    popularityBoost: share(popularityBoost),
    texts: share(saved.texts ?? encodeTrackLines(tracks)),
  }
}

/**
 * One worker thread that runs the index-reading part of searches (SearchCore) over shared arrays, so the
 * request thread stays free. Jobs are answered in order; the queue is bounded and each job has a timeout,
 * after which the thread is replaced. The worker is unreferenced while idle, so it never keeps a process alive.
 */
export class SearchThread {
  private worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  /** False until the worker has decoded its dictionary; callers search in-thread meanwhile. */
  ready = false

  constructor(
    private readonly shared: SharedSearch,
    private readonly termCount: number,
  ) {
    this.worker = this.start()
  }

  /** The best `limit` documents for the words (SearchCore.search on the worker). */
  run(words: string[], limit: number): Promise<Candidate[]> {
    if (this.pending.size >= THREAD_LIMITS.maxQueued) {
      return Promise.reject(new SegueError('E_RATE_LIMITED', `too many searches at once (${THREAD_LIMITS.maxQueued} waiting); try again shortly`))
    }
    const id = this.nextId++
    return new Promise<Candidate[]>((resolve, reject) => {
      const timer = setTimeout(() => this.timeOut(id), THREAD_LIMITS.timeoutMs).unref()
      this.pending.set(id, { resolve, reject, timer })
      if (this.pending.size === 1) this.worker.ref()
      this.worker.postMessage({ id, words, limit } satisfies SearchJob)
    })
  }

  async close(): Promise<void> {
    this.failAll(new SegueError('E_INTERRUPTED', 'search was closed while a search was running'))
    await this.worker.terminate()
  }

  private start(): Worker {
    this.ready = false
    const worker = startWorker({ shared: this.shared, termCount: this.termCount })
    worker.unref()
    let started = false
    worker.on('message', (m: SearchReply | 'ready') => {
      if (m !== 'ready') return this.settle(m)
      started = true
      this.ready = true
    })
    worker.on('error', (err) => {
      const reason = new SegueError('E_INTERNAL', `search thread failed: ${err.message}`, { cause: err })
      // A worker that cannot start would fail again: searches stay on the calling thread instead.
      if (started) this.restart(reason)
      else this.failAll(reason)
    })
    return worker
  }

  private settle(reply: SearchReply): void {
    const p = this.pending.get(reply.id)
    if (!p) return
    this.forget(reply.id, p)
    if ('error' in reply) p.reject(new SegueError('E_INTERNAL', `search thread: ${reply.error}`))
    else p.resolve(Array.from(reply.docs, (doc, i) => ({ doc, score: reply.scores[i] })))
  }

  private forget(id: number, p: Pending): void {
    clearTimeout(p.timer)
    this.pending.delete(id)
    if (this.pending.size === 0) this.worker.unref()
  }

  private timeOut(id: number): void {
    if (!this.pending.has(id)) return
    this.restart(new SegueError('E_RATE_LIMITED', `a search took over ${THREAD_LIMITS.timeoutMs} ms; try again shortly`))
  }

  /** Fails every waiting job and replaces a stuck or crashed worker. */
  private restart(reason: SegueError): void {
    this.failAll(reason)
    void this.worker.terminate()
    this.worker = this.start()
  }

  private failAll(reason: unknown): void {
    for (const [id, p] of [...this.pending]) {
      this.forget(id, p)
      p.reject(reason)
    }
  }
}
