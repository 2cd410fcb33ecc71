import { parentPort, workerData } from 'node:worker_threads'
import type { Track } from '../core/track.js'
import { DEFAULT_MOOD_CONFIG, moodsKey, saveMoods } from './model.js'
import { buildFallback } from './service.js'

/** Builds the k-means moods of the features sent by ServiceMoods and saves them at `path` (atomically). */
const { features, dims, version, path } = workerData as { features: Float64Array; dims: number; version: string; path: string }
try {
  const tracks = Array.from({ length: features.length / dims }, (_, r) => ({ features: features.subarray(r * dims, (r + 1) * dims) }) as unknown as Track)
  const { saved } = buildFallback({ tracks, rowOf: new Map(), version }, DEFAULT_MOOD_CONFIG, moodsKey(version, DEFAULT_MOOD_CONFIG))
  saveMoods(path, saved)
  parentPort!.postMessage({})
} catch (err) {
  parentPort!.postMessage({ error: (err as Error).message })
}
