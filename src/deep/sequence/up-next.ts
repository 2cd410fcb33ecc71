import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../../core/errors.js'
import type { Track } from '../../core/track.js'
import type { SegueService } from '../../service/service.js'
import type { SasRec } from './model.js'

/**
 * "Up next": the tracks to play after the one playing, from the trained sequence model (SASRec over playlist
 * order or play logs) when it knows the track, else from similar tracks, saying which and why.
 */
export interface UpNextItem {
  track: Track
  score: number
}

export interface UpNextResult {
  /** The track being played. */
  track: Track
  /** 'sequence': the next-track model; 'similar': the fallback. */
  source: 'sequence' | 'similar'
  /** Why the fallback was used (absent for 'sequence'). */
  note?: string
  /** How many of the recent plays (the current track included) the model read. */
  historyUsed: number
  items: UpNextItem[]
}

export interface UpNextOptions {
  n: number
  /** The listener's recent plays, oldest first, before the current track (catalogue ids; unknown ones are skipped). */
  recent?: readonly string[]
}

/** Where `segue train --model sequence` saves the model in a segue home. */
export function sequenceModelPath(home: string): string {
  return join(home, 'deep', 'sequence', 'model.art')
}

interface LoadedModel {
  model: SasRec
  /** items[k - 1]: the raw id of item k. */
  items: string[]
  numberOf: Map<string, number>
  /** Item numbers whose raw id is a catalogue track. */
  inCatalogue: Int32Array
  mtimeMs: number
}

/** Loaded models per home, reloaded when the file changes (a new `segue train` run). */
const loaded = new Map<string, Promise<LoadedModel | null>>()

async function modelFor(service: SegueService): Promise<LoadedModel | null> {
  const path = sequenceModelPath(service.engine.home)
  if (!existsSync(path)) return null
  const mtimeMs = statSync(path).mtimeMs
  let entry = loaded.get(path)
  const current = entry ? await entry : null
  if (current && current.mtimeMs === mtimeMs) return current
  current?.model.dispose()
  entry = openModel(path, mtimeMs, service)
  loaded.set(path, entry)
  entry.catch(() => loaded.delete(path))
  return entry
}

async function openModel(path: string, mtimeMs: number, service: SegueService): Promise<LoadedModel> {
  // TensorFlow.js loads only when a model is trained: importing it costs ~0.7 s of CPU, which every server start paid.
  const [{ initBackend }, { loadSasRec }] = await Promise.all([import('../backend.js'), import('./train.js')])
  await initBackend()
  const { model, items } = loadSasRec(path)
  const numberOf = new Map(items.map((id, i) => [id, i + 1]))
  const inCatalogue = Int32Array.from(items.flatMap((id, i) => (service.view.rowOf.has(id) ? [i + 1] : [])))
  return { model, items, numberOf, inCatalogue, mtimeMs }
}

/** Up next after `trackId` (E_NOT_FOUND when it is not in the catalogue). */
export async function upNext(service: SegueService, trackId: string, opts: UpNextOptions): Promise<UpNextResult> {
  const track = service.track(trackId)
  if (!(Number.isInteger(opts.n) && opts.n >= 1)) throw new SegueError('E_BAD_ARGUMENT', `n must be a whole number >= 1, got ${opts.n}`)
  const m = await modelFor(service)
  if (!m) return fallback(service, track, opts, 'no sequence model is trained for this catalogue (segue train --model sequence); showing similar tracks')
  if (!m.numberOf.has(trackId)) return fallback(service, track, opts, 'the sequence model never met this track in its playlists or plays; showing similar tracks')
  const history = [...(opts.recent ?? []), trackId].map((id) => m.numberOf.get(id)).filter((x): x is number => x !== undefined)
  const scores = m.model.scoreNext([history])[0]
  const played = new Set(history)
  const items = topCatalogue(scores, m.inCatalogue, played, opts.n).map(({ item, score }) => ({ track: service.track(m.items[item - 1]), score }))
  if (items.length === 0) return fallback(service, track, opts, 'the sequence model knows no other catalogue track; showing similar tracks')
  return { track, source: 'sequence', historyUsed: history.length, items }
}

/** The n best-scored catalogue items not yet played. */
function topCatalogue(scores: Float32Array, candidates: Int32Array, played: ReadonlySet<number>, n: number): { item: number; score: number }[] {
  const list: { item: number; score: number }[] = []
  for (const item of candidates) if (!played.has(item)) list.push({ item, score: scores[item] })
  list.sort((a, b) => b.score - a.score || a.item - b.item)
  return list.slice(0, n)
}

async function fallback(service: SegueService, track: Track, opts: UpNextOptions, note: string): Promise<UpNextResult> {
  const recent = new Set(opts.recent ?? [])
  const r = await service.similar(track.id, opts.n + recent.size, false)
  const items = r.items.filter((i) => !recent.has(i.track.id)).slice(0, opts.n).map((i) => ({ track: i.track, score: i.score }))
  return { track, source: 'similar', note, historyUsed: 0, items }
}
