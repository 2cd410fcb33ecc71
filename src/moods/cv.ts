import { Rng } from '../core/rng.js'

/** counts[t * classes + p]: rows of true class t predicted as p. */
export function confusion(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): Int32Array {
  const out = new Int32Array(classes * classes)
  for (let i = 0; i < truth.length; i++) out[truth[i] * classes + predicted[i]]++
  return out
}

/** Share of rows on the diagonal; 0 for no rows. */
export function accuracyOf(m: Int32Array, classes: number): number {
  let hit = 0
  let all = 0
  for (let t = 0; t < classes; t++) for (let p = 0; p < classes; p++) (all += m[t * classes + p], t === p && (hit += m[t * classes + p]))
  return all === 0 ? 0 : hit / all
}

/** F1 of each class: 2 * precision * recall / (precision + recall), 0 when the class is never predicted or never true. */
export function f1PerClass(m: Int32Array, classes: number): number[] {
  const out: number[] = []
  for (let c = 0; c < classes; c++) {
    let predicted = 0
    let actual = 0
    for (let k = 0; k < classes; k++) (predicted += m[k * classes + c], actual += m[c * classes + k])
    const tp = m[c * classes + c]
    out.push(predicted + actual === 0 ? 0 : (2 * tp) / (predicted + actual))
  }
  return out
}

/** Mean F1 over the classes that occur in the truth (a class absent from the data does not count). */
export function macroF1(m: Int32Array, classes: number): number {
  const f1 = f1PerClass(m, classes)
  const present = [...Array(classes).keys()].filter((c) => { let s = 0; for (let k = 0; k < classes; k++) s += m[c * classes + k]; return s > 0 })
  return present.length === 0 ? 0 : present.reduce((s, c) => s + f1[c], 0) / present.length
}

/**
 * Stratified fold of each row: each class's rows, shuffled with `seed`, are dealt round-robin into `folds`, so
 * every fold holds about the same share of each class.
 */
export function stratifiedFolds(y: ArrayLike<number>, folds: number, seed: number): Int32Array {
  const out = new Int32Array(y.length)
  const byClass = new Map<number, number[]>()
  for (let i = 0; i < y.length; i++) byClass.set(y[i], [...(byClass.get(y[i]) ?? []), i])
  const rng = new Rng(seed)
  let next = 0
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(cls)!
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1)
      ;[rows[i], rows[j]] = [rows[j], rows[i]]
    }
    // Continue dealing where the last class stopped, so small classes do not all land in fold 0.
    for (const r of rows) out[r] = next++ % folds
  }
  return out
}

export interface Scores {
  accuracy: number
  macroF1: number
  f1: number[]
  /** classes x classes, rows true, columns predicted. */
  confusion: number[][]
}

export function scoresOf(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): Scores {
  const m = confusion(truth, predicted, classes)
  return {
    accuracy: accuracyOf(m, classes),
    macroF1: macroF1(m, classes),
    f1: f1PerClass(m, classes),
    confusion: [...Array(classes).keys()].map((t) => Array.from(m.subarray(t * classes, (t + 1) * classes))),
  }
}

export interface CvResult {
  folds: number
  seed: number
  /** Scores of the out-of-fold predictions, pooled over the folds. */
  model: Scores
  /** The same for predicting each training part's most common class. */
  majority: Scores
  /** Accuracy per fold (their spread says how much the pooled figure can be trusted). */
  foldAccuracy: number[]
}

/**
 * k-fold cross-validation: `fitPredict(train, test)` learns from the training rows and returns a class for
 * each test row. Out-of-fold predictions are pooled into one confusion matrix.
 */
export function crossValidate(
  y: Int32Array,
  classes: number,
  folds: number,
  seed: number,
  fitPredict: (train: Int32Array, test: Int32Array) => ArrayLike<number>,
): CvResult {
  const fold = stratifiedFolds(y, folds, seed)
  const predicted = new Int32Array(y.length)
  const majority = new Int32Array(y.length)
  const foldAccuracy: number[] = []
  for (let f = 0; f < folds; f++) {
    const train = Int32Array.from([...fold.keys()].filter((i) => fold[i] !== f))
    const test = Int32Array.from([...fold.keys()].filter((i) => fold[i] === f))
    if (test.length === 0 || train.length === 0) continue
    const out = fitPredict(train, test)
    const common = mostCommon(train, y, classes)
    let hit = 0
    test.forEach((r, k) => { predicted[r] = out[k]; majority[r] = common; if (out[k] === y[r]) hit++ })
    foldAccuracy.push(hit / test.length)
  }
  return { folds, seed, model: scoresOf(y, predicted, classes), majority: scoresOf(y, majority, classes), foldAccuracy }
}

function mostCommon(rows: Int32Array, y: Int32Array, classes: number): number {
  const counts = new Int32Array(classes)
  for (const r of rows) counts[y[r]]++
  let best = 0
  for (let c = 1; c < classes; c++) if (counts[c] > counts[best]) best = c
  return best
}
