import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SegueError } from '../../src/core/errors.js'
import { DEFAULT_PIPELINE, resolveConfig } from '../../src/features/config.js'
import { FeaturePipeline, type PipelineConfig } from '../../src/features/pipeline.js'
import { makeTrack } from './feature-helpers.js'

function rejects(partial: unknown, field: string): void {
  const tracks = [makeTrack(), makeTrack()]
  assert.throws(
    () => FeaturePipeline.fit(tracks, partial as Partial<PipelineConfig>),
    (e: unknown) => e instanceof SegueError && e.code === 'E_BAD_ARGUMENT' && e.message.includes(field),
    `expected E_BAD_ARGUMENT naming ${field}`,
  )
}

test('a negative, infinite or non-numeric weight is rejected, naming the weight', () => {
  rejects({ weights: { genre: -1 } }, 'weights.genre')
  rejects({ weights: { audio: Infinity } }, 'weights.audio')
  rejects({ weights: { era: '1' } }, 'weights.era')
  rejects({ weights: { mood: 1 } }, 'weights.mood')
})

test('unknown encodings and scalers are rejected, naming the field', () => {
  rejects({ scaler: 'zscore' }, 'scaler')
  rejects({ genres: 'bag' }, 'genres')
  rejects({ artists: 'hash' }, 'artists')
  rejects({ capOutliers: 'yes' }, 'capOutliers')
  rejects({ engineered: 1 }, 'engineered')
})

test('bad vocabulary caps and log lists are rejected, naming the field', () => {
  rejects({ maxArtistTerms: -1 }, 'maxArtistTerms')
  rejects({ maxGenreTerms: 2.5 }, 'maxGenreTerms')
  rejects({ logTransform: ['key'] }, 'logTransform')
  rejects({ logTransform: 'some' }, 'logTransform')
})

test('a partial config merges over the defaults, weights key by key', () => {
  const c = resolveConfig({ scaler: 'robust', weights: { genre: 3 } as PipelineConfig['weights'] })
  assert.equal(c.scaler, 'robust')
  assert.deepEqual(c.weights, { ...DEFAULT_PIPELINE.weights, genre: 3 })
  assert.equal(c.maxArtistTerms, DEFAULT_PIPELINE.maxArtistTerms)
  assert.deepEqual(resolveConfig(), DEFAULT_PIPELINE)
})
