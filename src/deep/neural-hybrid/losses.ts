import * as tf from '@tensorflow/tfjs-core'

/**
 * ListNet's top-one loss (Cao et al. 2007): the cross-entropy between a target distribution over each
 * candidate list and softmax(scores). Targets are the positives' share (1/P on each of P positives, 0 on the
 * sampled negatives), so a list whose positives hold all the softmax mass costs 0. Mean over lists.
 * scores, targets: [lists, candidates]; each target row sums to 1.
 */
export function listNetLoss(scores: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => listNet(targets)(scores) as tf.Scalar)
}

/**
 * The loss with its gradient in closed form, d/ds = (softmax(s) · Σ targets − targets) / lists: a handful of
 * kernels where tfjs's chain through logSoftmax, mul, sum and mean takes a dozen over [lists, candidates]. The
 * forward pass is tfjs's logSoftmax spelled out (s − max − log Σ exp(s − max)) so the softmax reuses its exp.
 */
function listNet(targets: tf.Tensor2D): (scores: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const s = args[0] as tf.Tensor2D
    const shifted = tf.sub(s, tf.max(s, 1, true))
    const e = tf.exp(shifted)
    const total = tf.sum(e, 1, true)
    const logP = tf.sub(shifted, tf.log(total))
    ;(args[1] as tf.GradSaveFunc)([e, total, targets]) // targets saved too, or the forward pass's tidy disposes them
    const value = tf.mean(tf.neg(tf.sum(tf.mul(targets, logP), 1)))
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [es, ts, t] = saved
      const share = tf.sub(tf.mul(tf.div(es, ts), tf.sum(t, 1, true)), t)
      return tf.mul(share, tf.div(dy, t.shape[0]!))
    }
    return { value, gradFunc }
  }) as unknown as (scores: tf.Tensor) => tf.Tensor
}

/**
 * A differentiable intra-list similarity: the expected similarity of two distinct candidates drawn from
 * p = softmax(scores / temperature), i.e. Σ_{i≠j} p_i p_j S_ij / Σ_{i≠j} p_i p_j with S the cosine of the
 * candidates' diversity vectors (genres, artist, features). As the temperature falls, p concentrates on the
 * list's top and the value approaches the ILS of the few best-scored candidates; a higher temperature spreads
 * it over the list. Minimising it makes the items the model ranks high unlike each other. Mean over lists.
 * Computed factored, ||Σ p_i d_i||² − Σ p_i² ||d_i||², so a full-catalogue list never builds S.
 * scores: [lists, candidates]; unitVectors: [lists, candidates, dims] per list, or [candidates, dims] shared
 * by every list; rows L2-normalised (zero rows allowed).
 */
export function softIlsPenalty(scores: tf.Tensor2D, unitVectors: tf.Tensor3D | tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.softmax(tf.div(scores, temperature)) as tf.Tensor2D
    const shared = unitVectors.rank === 2
    const mean = shared ? tf.matMul(p, unitVectors as tf.Tensor2D) : tf.sum(tf.mul(tf.expandDims(p, 2), unitVectors), 1)
    const norms = shared ? tf.expandDims(tf.sum(tf.square(unitVectors), 1), 0) : tf.sum(tf.square(unitVectors), 2)
    const all = tf.sum(tf.square(mean), 1)
    const self = tf.sum(tf.mul(tf.square(p), norms), 1)
    const pairs = tf.sub(1, tf.sum(tf.square(p), 1))
    return tf.mean(tf.div(tf.sub(all, self), tf.maximum(pairs, PAIR_FLOOR))) as tf.Scalar
  })
}

/** Keeps the ratio finite when one candidate holds (nearly) all the mass and no pair is left to compare. */
const PAIR_FLOOR = 1e-6
