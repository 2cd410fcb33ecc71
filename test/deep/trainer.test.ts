import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend, glorotVariable, constantVariable } from '../../src/deep/backend.js'
import { clipByGlobalNorm, fitModel, shuffledBatches, type TrainOptions } from '../../src/deep/trainer.js'
import { Rng } from '../../src/core/rng.js'

await initBackend()

const TRUE_W = [2, -1, 0.5]
const TRUE_B = 3
const N = 512

/** y = X·w + b + small noise; the first 384 rows train, the rest validate. */
function regressionData(seed: number) {
  const rng = new Rng(seed)
  const x = new Float32Array(N * 3)
  const y = new Float32Array(N)
  for (let i = 0; i < N; i++) {
    let s = TRUE_B
    for (let j = 0; j < 3; j++) {
      x[i * 3 + j] = rng.normal()
      s += TRUE_W[j] * x[i * 3 + j]
    }
    y[i] = s + 0.01 * rng.normal()
  }
  return { x, y }
}

function linearModel(seed: number) {
  const { x, y } = regressionData(1)
  const w = glorotVariable(new Rng(seed), 3, 1, 'w')
  const b = constantVariable(1, 'b')
  const predict = (xs: tf.Tensor2D) => tf.reshape(tf.add(tf.matMul(xs, w), b), [-1]) as tf.Tensor1D
  const rows = (idx: Int32Array) => {
    const xb = new Float32Array(idx.length * 3)
    const yb = new Float32Array(idx.length)
    idx.forEach((r, i) => {
      xb.set(x.subarray(r * 3, r * 3 + 3), i * 3)
      yb[i] = y[r]
    })
    return { xs: tf.tensor2d(xb, [idx.length, 3]), ys: tf.tensor1d(yb) }
  }
  const valIdx = Int32Array.from({ length: N - 384 }, (_, i) => 384 + i)
  return {
    w,
    b,
    model: {
      variables: () => [w, b],
      loss: (idx: Int32Array) => {
        const { xs, ys } = rows(idx)
        return tf.losses.meanSquaredError(ys, predict(xs)) as tf.Scalar
      },
      validate: () => tf.tidy(() => {
        const { xs, ys } = rows(valIdx)
        return { loss: (tf.losses.meanSquaredError(ys, predict(xs)) as tf.Scalar).dataSync()[0] }
      }),
    },
  }
}

const quiet = { progress: false } as const

test('linear regression recovers the known weights and bias', async () => {
  const { w, b, model } = linearModel(7)
  const res = await fitModel({
    name: 'linreg',
    model,
    batches: (e) => shuffledBatches(384, 32, 7, e),
    options: { epochs: 60, learningRate: 0.05, batchSize: 32, seed: 7, patience: false, ...quiet },
  })
  const got = Array.from(w.dataSync())
  got.forEach((v, i) => assert.ok(Math.abs(v - TRUE_W[i]) < 0.02, `w[${i}] = ${v}, expected ${TRUE_W[i]}`))
  assert.ok(Math.abs(b.dataSync()[0] - TRUE_B) < 0.02, `b = ${b.dataSync()[0]}`)
  assert.ok(res.best.valLoss < 1e-3, `best validation loss ${res.best.valLoss}`)
  assert.equal(res.stoppedBy, 'epochs')
})

test('early stopping fires after `patience` flat epochs and the plateau rule halves the rate', async () => {
  const v = constantVariable(1, 'flat', 1)
  const res = await fitModel({
    name: 'flat',
    model: { variables: () => [v], loss: () => tf.sum(tf.mul(v, 0)) as tf.Scalar, validate: () => ({ loss: 1 }) },
    batches: () => [0],
    options: { epochs: 50, learningRate: 0.1, seed: 1, patience: 4, plateau: { factor: 0.5, patience: 2 }, ...quiet },
  })
  assert.equal(res.stoppedBy, 'early-stop')
  assert.equal(res.history.length, 5) // epoch 1 is the best, then 4 epochs without improvement
  assert.deepEqual(res.history.map((h) => h.lr), [0.1, 0.1, 0.1, 0.05, 0.05])
  assert.equal(res.best.epoch, 1)
})

test('the best weights are restored at the end, not the last ones', async () => {
  const v = constantVariable(1, 'v', 0)
  const losses = [3, 1, 2, 2.5] // epoch 2 is best
  let e = 0
  await fitModel({
    name: 'best',
    model: { variables: () => [v], loss: () => tf.sum(tf.mul(v, -1)) as tf.Scalar, validate: () => ({ loss: losses[e++] }) },
    batches: () => [0],
    options: { epochs: 4, learningRate: 1, seed: 1, patience: false, plateau: false, clipNorm: false, ...quiet },
  })
  // each Adam step moves v by about +lr; after epoch 2 it is about 2
  assert.ok(Math.abs(v.dataSync()[0] - 2) < 1e-3, `v = ${v.dataSync()[0]}`)
})

test('an interrupted run resumed from its checkpoint ends exactly like an uninterrupted run', async () => {
  const options = (dir: string): TrainOptions => ({ epochs: 8, learningRate: 0.02, batchSize: 64, seed: 3, checkpointDir: dir, patience: false, ...quiet })
  const batches = (e: number) => shuffledBatches(384, 64, 3, e)
  const full = linearModel(3)
  const whole = await fitModel({ name: 'a', model: full.model, batches, options: options(mkdtempSync(join(tmpdir(), 'segue-deep-'))) })

  const dir = mkdtempSync(join(tmpdir(), 'segue-deep-'))
  const first = linearModel(3)
  const controller = new AbortController()
  const cut = await fitModel({
    name: 'b',
    model: first.model,
    batches,
    options: { ...options(dir), signal: controller.signal, onEpoch: (r) => r.epoch === 3 && controller.abort() },
  })
  assert.equal(cut.stoppedBy, 'interrupted')
  assert.equal(cut.history.length, 3)
  assert.ok(existsSync(join(dir, 'last.ckpt')) && existsSync(join(dir, 'best.ckpt')))

  const second = linearModel(99) // different initial weights: the checkpoint must overwrite them
  const resumed = await fitModel({ name: 'b', model: second.model, batches, options: { ...options(dir), resume: true } })
  assert.equal(resumed.resumedFrom, 3)
  assert.deepEqual(Array.from(second.w.dataSync()), Array.from(full.w.dataSync()))
  assert.deepEqual(Array.from(second.b.dataSync()), Array.from(full.b.dataSync()))
  assert.deepEqual(resumed.history.map((h) => h.loss), whole.history.map((h) => h.loss))
})

test('resume refuses a checkpoint trained with another seed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-deep-'))
  const m = linearModel(1)
  const opts = { epochs: 1, learningRate: 0.01, seed: 1, checkpointDir: dir, ...quiet }
  await fitModel({ name: 's', model: m.model, batches: (e) => shuffledBatches(384, 128, 1, e), options: opts })
  await assert.rejects(
    fitModel({ name: 's', model: m.model, batches: (e) => shuffledBatches(384, 128, 2, e), options: { ...opts, seed: 2, resume: true } }),
    (err: Error & { code?: string }) => err.code === 'E_BAD_ARGUMENT' && /seed 1/.test(err.message),
  )
})

test('clipping scales the gradients to the global norm and leaves small ones alone', () => {
  const big = [tf.tensor1d([30, 40]), tf.tensor1d([0])] // global norm 50
  const clipped = clipByGlobalNorm(big, 5)
  assert.deepEqual(Array.from(clipped[0].dataSync()).map((x) => +x.toFixed(5)), [3, 4])
  const small = clipByGlobalNorm([tf.tensor1d([0.3, 0.4])], 5)
  assert.deepEqual(Array.from(small[0].dataSync()).map((x) => +x.toFixed(5)), [0.3, 0.4])
})

test('clipping bounds the first update of a model with an exploding gradient', async () => {
  // Adam's first step is lr * g / |g| per coordinate whatever the scale; with momentum over two steps of
  // very different sizes, clipping is what keeps the second step from being dominated by the huge one.
  const run = async (clipNorm: number | false) => {
    const v = constantVariable(2, 'c', 0)
    const scale = [1e6, 1]
    let i = 0
    await fitModel({
      name: 'clip',
      model: { variables: () => [v], loss: () => tf.sum(tf.mul(v, tf.tensor1d([scale[i++ % 2], 1]))) as tf.Scalar, validate: () => ({ loss: 1 }) },
      batches: () => [0, 1],
      options: { epochs: 1, learningRate: 0.1, seed: 1, clipNorm, patience: false, plateau: false, ...quiet },
    })
    return Array.from(v.dataSync())
  }
  const withClip = await run(1)
  const without = await run(false)
  assert.notDeepEqual(withClip, without)
  for (const x of withClip) assert.ok(Math.abs(x) <= 0.2 + 1e-6, `each step moves at most lr: ${withClip}`)
})

test('a loss that becomes NaN stops training with a coded error that names remedies', async () => {
  const v = constantVariable(1, 'nan', 1)
  await assert.rejects(
    fitModel({
      name: 'nan',
      model: { variables: () => [v], loss: () => tf.sum(tf.log(tf.mul(v, -1))) as tf.Scalar, validate: () => ({ loss: 1 }) },
      batches: () => [0],
      options: { epochs: 2, learningRate: 0.1, seed: 1, ...quiet },
    }),
    (err: Error & { code?: string }) => err.code === 'E_BAD_ARGUMENT' && /learningRate/.test(err.message),
  )
})

test('dense() has the same value and gradients as tfjs own matMul + bias + relu', async () => {
  const { dense } = await import('../../src/deep/backend.js')
  const rng = new Rng(4)
  const x = tf.tensor2d(Float32Array.from({ length: 6 * 5 }, () => rng.normal()), [6, 5])
  const w = tf.tensor2d(Float32Array.from({ length: 5 * 3 }, () => rng.normal()), [5, 3])
  const b = tf.tensor1d([0.1, -0.2, 0.3])
  const target = tf.tensor2d(Float32Array.from({ length: 6 * 3 }, () => rng.normal()), [6, 3])
  for (const act of ['relu', 'linear'] as const) {
    const ours = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => tf.sum(tf.mul(dense(xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D, act), target))
    const theirs = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => {
      const y = tf.add(tf.matMul(xs, ws), bs)
      return tf.sum(tf.mul(act === 'relu' ? tf.relu(y) : y, target))
    }
    const g1 = tf.grads(ours)([x, w, b])
    const g2 = tf.grads(theirs)([x, w, b])
    g1.forEach((g, i) => {
      const a = g.dataSync()
      const e = g2[i].dataSync()
      a.forEach((v, j) => assert.ok(Math.abs(v - e[j]) < 1e-5, `${act} grad ${i}[${j}]: ${v} vs ${e[j]}`))
    })
  }
})
