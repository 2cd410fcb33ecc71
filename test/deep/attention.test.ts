import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as tf from '@tensorflow/tfjs-core'
import { Rng } from '../../src/core/rng.js'
import { initBackend } from '../../src/deep/backend.js'
import { TransformerEncoder, embeddingLookup, type TransformerConfig } from '../../src/deep/attention.js'

await initBackend()

const CONFIG: TransformerConfig = { dModel: 16, heads: 2, layers: 2, ffDim: 32, dropout: 0, causal: true, maxLen: 8, seed: 7 }

function randomInput(batch: number, len: number, d: number, seed: number): tf.Tensor3D {
  return tf.randomNormal([batch, len, d], 0, 1, 'float32', seed) as tf.Tensor3D
}

test('a batch of sequences keeps its shape, and inference is deterministic', () => {
  const enc = new TransformerEncoder(CONFIG)
  const x = randomInput(3, 5, 16, 1)
  const a = enc.apply(x, { training: false })
  const b = enc.apply(x, { training: false })
  assert.deepEqual(a.shape, [3, 5, 16])
  assert.deepEqual(a.arraySync(), b.arraySync())
  assert.ok(a.dataSync().every(Number.isFinite))
})

/** Max |difference| of outputs at positions [from, to) after input position `changed` is altered. */
function changeAt(enc: TransformerEncoder, changed: number, from: number, to: number, keyMask?: tf.Tensor2D): number {
  const x = randomInput(1, 6, 16, 2)
  const noise = tf.mul(tf.reshape(tf.oneHot([changed], 6), [1, 6, 1]), tf.randomNormal([1, 1, 16], 0, 3, 'float32', 3))
  const y1 = tf.slice(enc.apply(x, { training: false, keyMask }), [0, from, 0], [1, to - from, 16])
  const y2 = tf.slice(enc.apply(tf.add(x, noise) as tf.Tensor3D, { training: false, keyMask }), [0, from, 0], [1, to - from, 16])
  return tf.max(tf.abs(tf.sub(y1, y2))).dataSync()[0]
}

test('causal: a future position cannot change an earlier output, but does change its own and later ones', () => {
  const enc = new TransformerEncoder(CONFIG)
  assert.ok(changeAt(enc, 3, 0, 3) < 1e-6, 'outputs 0..2 moved when input 3 changed')
  assert.ok(changeAt(enc, 3, 3, 6) > 1e-2)
})

test('without the causal option the same change reaches earlier outputs (the mask is what stops it)', () => {
  const enc = new TransformerEncoder({ ...CONFIG, causal: false })
  assert.ok(changeAt(enc, 3, 0, 3) > 1e-2)
})

test('a padded key changes no real output', () => {
  const enc = new TransformerEncoder({ ...CONFIG, causal: false })
  const mask = tf.tensor2d([[0, 1, 1, 1, 1, 1]])
  assert.ok(changeAt(enc, 0, 1, 6, mask) < 1e-6)
  assert.ok(changeAt(enc, 0, 1, 6) > 1e-2)
})

test('learns to copy the previous token (needs attention to position t-1) well above chance', () => {
  const vocab = 8
  const len = 6
  const enc = new TransformerEncoder({ ...CONFIG, layers: 1, maxLen: len })
  const embed = enc.weight([vocab, 16], 'test/embed')
  const rng = new Rng(11)
  const batchOf = (n: number) => Array.from({ length: n }, () => Array.from({ length: len }, () => rng.int(vocab)))
  const logitsOf = (seqs: number[][]) => {
    const x = embeddingLookup(embed as tf.Tensor2D, tf.tensor2d(seqs, undefined, 'int32')) as tf.Tensor3D
    return tf.matMul(tf.reshape(enc.apply(x, { training: true }), [-1, 16]), embed, false, true)
  }
  const targets = (seqs: number[][]) => seqs.map((s) => s.map((_, t) => (t === 0 ? s[0] : s[t - 1]))).flat()
  const optimizer = tf.train.adam(0.01)
  const vars = [embed, ...enc.variables()]
  for (let step = 0; step < 150; step++) {
    const seqs = batchOf(32)
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(targets(seqs), vocab), logitsOf(seqs)) as tf.Scalar, false, vars)
  }
  const test = batchOf(64)
  const predicted = tf.tidy(() => tf.argMax(logitsOf(test), -1).arraySync() as number[])
  const expected = targets(test)
  const accuracy = predicted.filter((p, i) => p === expected[i]).length / expected.length
  assert.ok(accuracy > 0.9, `accuracy ${accuracy} (chance 1/${vocab})`)
})
