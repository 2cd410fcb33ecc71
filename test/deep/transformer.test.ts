import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Rng } from '../../src/core/rng.js'
import { AUDIO_FEATURES } from '../../src/core/track.js'
import { initBackend } from '../../src/deep/backend.js'
import { DEFAULT_TRACK_TRANSFORMER } from '../../src/deep/transformer/model.js'
import { trainOnTracks, TRANSFORMER_TRAIN_DEFAULTS } from '../../src/deep/transformer/embedding.js'
import { BINS, fitTokenizer, MASK, PAD, SLOTS, tokenize, UNKNOWN_ARTIST } from '../../src/deep/transformer/tokens.js'
import { makeTrack } from '../helpers/make-track.js'

await initBackend()

const GENRE_SLOT = AUDIO_FEATURES.length

/** Four genres, each with its own energy/acousticness/valence region, ten artists each, six tracks per artist. */
function catalogue(seed: number) {
  const rng = new Rng(seed)
  const centres = [[0.9, 0.1, 0.8], [0.2, 0.9, 0.3], [0.6, 0.5, 0.1], [0.4, 0.2, 0.6]]
  return centres.flatMap((c, g) =>
    Array.from({ length: 60 }, (_, i) => makeTrack({
      genres: [`g${g}`],
      artists: [`artist-${g}-${i % 10}`],
      audio: { energy: c[0] + 0.08 * rng.normal(), acousticness: c[1] + 0.08 * rng.normal(), valence: c[2] + 0.08 * rng.normal(), tempo: 80 + 80 * rng.next() },
    })),
  )
}

test('tokens: one slot per feature group, quantile bins, PAD for a missing genre, an unknown-artist token', () => {
  const tracks = catalogue(1)
  const tok = fitTokenizer(tracks)
  const tokens = tokenize(tok, tracks)
  assert.equal(tokens.length, tracks.length * SLOTS)
  const energy = AUDIO_FEATURES.indexOf('energy')
  const energyBins = new Set(tracks.map((_, r) => tokens[r * SLOTS + energy]))
  assert.equal(energyBins.size, BINS)
  assert.equal(tokens[GENRE_SLOT + 1], PAD)
  const stranger = tokenize(tok, [{ ...tracks[0], artists: ['nobody'], genres: [] }])
  assert.equal(stranger[SLOTS - 1], UNKNOWN_ARTIST)
  assert.equal(stranger[GENRE_SLOT], PAD)
})

test('masked-token training lowers the held-out masked-token loss far below an untrained model and embeds every track', async () => {
  const tracks = catalogue(2)
  const config = { ...DEFAULT_TRACK_TRANSFORMER, ...TRANSFORMER_TRAIN_DEFAULTS, dModel: 16, layers: 1, epochs: 15, batchSize: 60, tracksPerEpoch: 240, validationTracks: 40, learningRate: 1e-2, maskRate: 0.3, dropout: 0 }
  const { model, tokens, result } = await trainOnTracks(tracks, config, { progress: false, patience: false, plateau: false })
  const untrainedLoss = Math.log(model.vocabSize)
  assert.ok(result.best.valLoss < untrainedLoss - 2, `validation loss ${result.best.valLoss} vs ${untrainedLoss} for a uniform guess`)
  const vectors = model.embed(tokens)
  assert.equal(vectors.length, tracks.length * 16)
  assert.ok(vectors.every(Number.isFinite))
  model.dispose()
})

/** 20 artists, the genre decided by the artist alone (artist a plays genre a mod 4); the sound is random noise. */
function artistDecidesGenre(seed: number) {
  const rng = new Rng(seed)
  return Array.from({ length: 400 }, (_, i) => makeTrack({
    genres: [`g${(i % 20) % 4}`],
    artists: [`artist-${i % 20}`],
    audio: { energy: rng.next(), acousticness: rng.next(), valence: rng.next(), tempo: 80 + 80 * rng.next() },
  }))
}

test('cross-slot structure: a masked genre is filled in from the artist well above chance (1/4)', async () => {
  const tracks = artistDecidesGenre(3)
  const config = { ...DEFAULT_TRACK_TRANSFORMER, ...TRANSFORMER_TRAIN_DEFAULTS, dModel: 16, layers: 1, epochs: 20, batchSize: 64, tracksPerEpoch: 320, validationTracks: 40, learningRate: 1e-2, maskRate: 0.3, dropout: 0 }
  const { model, tokens } = await trainOnTracks(tracks, config, { progress: false, patience: false, plateau: false })
  const inputs = tokens.slice()
  for (let r = 0; r < tracks.length; r++) inputs[r * SLOTS + GENRE_SLOT] = MASK
  const predicted = model.predict(inputs, tracks.length)
  let right = 0
  for (let r = 0; r < tracks.length; r++) if (predicted[r * SLOTS + GENRE_SLOT] === tokens[r * SLOTS + GENRE_SLOT]) right++
  model.dispose()
  const accuracy = right / tracks.length
  assert.ok(accuracy > 0.9, `masked-genre accuracy ${accuracy}; chance is 0.25`)
})
