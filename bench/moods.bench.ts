// Moods on the bundled 114k catalogue (89,741 distinct tracks): why segue clusters with its own typed-array
// k-means rather than ml-kmeans, and how long moods for every track take once the saved model is loaded.
//   kmeans: ml-kmeans 7 (number[][], k-means++) against src/moods/kmeans.ts, same standardised six features,
//           k = 4 and 8, rounds alternating; medians and the ratio.
//   moods after load: softmax probabilities for every track from the loaded model (recomputed, not read back),
//           and the ranking of tracksForMood over them.
import { kmeans as mlKmeans } from 'ml-kmeans'
import { readCatalogue } from '../src/data/read-catalogue.js'
import { bundledCatalogue } from '../src/core/paths.js'
import { BASE_MOOD_FEATURES, featureMatrix, fitStandardiser, standardise } from '../src/moods/features.js'
import { kmeans } from '../src/moods/kmeans.js'
import { clusterCatalogue, modelFromClusters, moodProbabilities, type SavedMoods } from '../src/moods/model.js'
import { tracksForMood } from '../src/moods/service.js'
import { median, report, timeRounds, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const { tracks } = await readCatalogue(bundledCatalogue())
const features = tracks.map((t) => t.features)
const raw = featureMatrix(features, BASE_MOOD_FEATURES)
const x = standardise(raw, fitStandardiser(raw))
const nested: number[][] = []
for (let i = 0; i < x.rows; i++) nested.push(Array.from(x.data.subarray(i * x.dims, (i + 1) * x.dims)))

const rows: Row[] = []
for (const k of [4, 8]) {
  const lib: number[] = []
  const own: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    lib.push(...(await timeRounds(1, () => mlKmeans(nested, k, { seed: 42 }))))
    own.push(...(await timeRounds(1, () => kmeans(x, k, { seed: 42 }))))
  }
  rows.push({ task: `k-means k=${k}, ${x.rows} x ${x.dims}`, 'ml-kmeans s': +median(lib).toFixed(3), 'own s': +median(own).toFixed(3), ratio: +(median(lib) / median(own)).toFixed(1) })
}

const u = clusterCatalogue(features)
const model = modelFromClusters(u)
let proba: Float32Array = new Float32Array(0)
const scoring = await timeRounds(ROUNDS, () => { proba = moodProbabilities(model, features) })
const saved: SavedMoods = { model, proba, key: 'bench', meta: {} }
const cat = { tracks, rowOf: new Map(tracks.map((t, i) => [t.id, i])), version: 'bench' }
const ranking = await timeRounds(ROUNDS, () => tracksForMood(saved, cat, 'Happy', 50))
rows.push({ task: `moods for ${tracks.length} tracks after load`, 'ml-kmeans s': null, 'own s': +median(scoring).toFixed(3), ratio: null })
rows.push({ task: 'tracksForMood(Happy, 50) over them', 'ml-kmeans s': null, 'own s': +median(ranking).toFixed(3), ratio: null })
report('moods', rows, { rounds: ROUNDS, chosenK: u.sweep.chosenK, silhouette: u.sweep.silhouette, elbowK: u.sweep.elbowK })
