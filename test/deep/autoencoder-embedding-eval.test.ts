import { test } from 'node:test'
import assert from 'node:assert/strict'
import { audioOnlySpace, evaluateEmbeddingSpace, nearestRecordings, playlistsByRecording, unitRows, type EvalCatalogue } from '../../src/deep/embedding-eval.js'
import { makeTrack } from '../helpers/make-track.js'

// Six tracks on the plane: pop A, B and rock C near the x axis; rock D, E and pop F near the y axis.
// Neighbours (k = 2) by angle: A -> B, C; B -> A, C; C -> B, A; D -> E, F; E -> D, F; F -> E, D.
const ROWS = [
  { id: 'A', genre: 'pop', artist: 'X', v: [1, 0] },
  { id: 'B', genre: 'pop', artist: 'Y', v: [0.9, 0.1] },
  { id: 'C', genre: 'rock', artist: 'X', v: [0.8, 0.2] },
  { id: 'D', genre: 'rock', artist: 'Z', v: [0, 1] },
  { id: 'E', genre: 'rock', artist: 'Z', v: [0.1, 0.9] },
  { id: 'F', genre: 'pop', artist: 'W', v: [0.2, 0.8] },
]

function fixture(): EvalCatalogue {
  const tracks = ROWS.map((r) => makeTrack({ id: r.id, genres: [r.genre], artists: [r.artist] }))
  const common = { name: 'plane', dim: 2, vectors: Float32Array.from(ROWS.flatMap((r) => r.v)) }
  const dupKeys = ROWS.map((r) => r.id)
  // Playlist 0 holds A and C, playlist 1 holds D and F (set tracks 0..3 link to rows 0, 2, 3, 5).
  const playlistsByKey = playlistsByRecording([{ tracks: [0, 1, 1] }, { tracks: [2, 3] }], Int32Array.from([0, 2, 3, 5]), dupKeys)
  return { tracks, dupKeys, common, playlistsByKey }
}

test('every metric matches the hand-computed value on the six-track plane', () => {
  const cat = fixture()
  const r = evaluateEmbeddingSpace(cat, cat.common, { k: 2, seeds: 6, playlistSeeds: 6 })
  assert.equal(r.seeds, 6)
  assert.equal(r.playlistSeeds, 4) // A, C, D, F are in playlists
  // Same-genre neighbours: A 1 of 2 (B), B 1 (A), C 0, D 1 (E), E 1 (D), F 0.
  assert.ok(Math.abs(r.genrePrecision - 4 / 12) < 1e-9, `precision ${r.genrePrecision}`)
  assert.ok(Math.abs(r.mrr - 4 / 6) < 1e-9, `mrr ${r.mrr}`)
  // Distinct artists: A {Y,X} B {X,X} C {Y,X} D {Z,W} E {Z,W} F {Z,Z}.
  assert.ok(Math.abs(r.artistDiversity - 5 / 6) < 1e-9, `diversity ${r.artistDiversity}`)
  const deg = (d: number) => Math.cos((d * Math.PI) / 180)
  const angle = (a: number[], b: number[]) => (Math.acos((a[0] * b[0] + a[1] * b[1]) / Math.hypot(...a) / Math.hypot(...b)) * 180) / Math.PI
  const [A, B, C, D, E, F] = ROWS.map((x) => x.v)
  const pairs = [angle(B, C), angle(A, C), angle(B, A), angle(E, F), angle(D, F), angle(E, D)]
  const ils = pairs.reduce((s, d) => s + deg(d), 0) / 6
  assert.ok(Math.abs(r.ils - ils) < 1e-6, `ils ${r.ils} vs ${ils}`)
  // Each playlist seed finds its playlist partner among its two neighbours: 1 of 2.
  assert.equal(r.playlistCooccurrence, 0.5)
})

test('releases of one recording count once and the seed recording is never its own neighbour', () => {
  const cat = fixture()
  const dupKeys = ['A', 'A', 'C', 'D', 'E', 'F'] // B is a release of A's recording
  const unit = unitRows(cat.common)
  assert.deepEqual(nearestRecordings(unit, 2, dupKeys, 0, 2), [2, 5]) // A: not B (its own recording), then C, F
  assert.deepEqual(nearestRecordings(unit, 2, dupKeys, 2, 2), [1, 5]) // C: B stands for recording A (nearer than A)
  assert.deepEqual(nearestRecordings(unit, 2, ROWS.map((r) => r.id), 0, 2), [1, 2])
})

test('the audio-only space standardises each feature', () => {
  const tracks = [0.2, 0.4, 0.9].map((e, i) => {
    return makeTrack({ id: `t${i}`, audio: { energy: e } })
  })
  const s = audioOnlySpace(tracks)
  const energy = [0, 1, 2].map((r) => s.vectors[r * s.dim + 1])
  assert.ok(Math.abs(energy.reduce((a, b) => a + b, 0)) < 1e-6)
  assert.ok(Math.abs(energy.reduce((a, b) => a + b * b, 0) / 3 - 1) < 1e-5)
})
