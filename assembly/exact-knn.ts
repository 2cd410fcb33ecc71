// Exact k-nearest-neighbour scan, WebAssembly SIMD (f32x4).
//
// The matrix arrives in the blocked layout built by src/kernels/knn-layout.ts: rows are grouped in blocks of
// four, and inside a block each dimension holds the four rows' values side by side, so one f32x4 holds four
// different rows and a block costs one vector step per dimension. The first four dimensions of every block
// (the "head", the ones that rule out the most rows: src/kernels/knn-dim-order.ts) sit in one array and the
// rest (the "tail") in another.
//
// Distances are sums of non-negative per-dimension terms (squared differences, or absolute differences), so the
// head's partial sum is a lower bound of the full distance. A block whose four partial sums are all at or
// above the query's current k-th best distance is dropped after one compare, without reading its tail. Rows
// that must not be returned (padding, zero vectors under cosine) hold NaN, which never compares below.
//
// Memory is managed by the caller (no allocator: the stub runtime, and nothing here calls `new`): it places
// the matrix, the splatted queries and the per-query states above heapBase() and passes their addresses.

const METRIC_SQUARED_L2: i32 = 0
const METRIC_L1: i32 = 1

// A query state: [count i32][threshold f32][8 bytes padding][k distances f32][k row numbers i32].
// The distances form a max-heap while scanning, so the root is the k-th best so far.
const STATE_HEADER: usize = 16
const HEAD_DIMS: usize = 4
const BLOCK_HEAD_BYTES: usize = HEAD_DIMS << 4

/** The first free byte above the module's static data; the caller's regions start here. */
export function heapBase(): usize {
  return __heap_base
}

/** Bytes of one query's state for a given k, rounded to 16 so every state is vector aligned. */
export function stateBytes(k: i32): usize {
  return (STATE_HEADER + (<usize>k << 3) + 15) & ~(<usize>15)
}

/**
 * Scans blocks [0, blocks) for `nq` queries and leaves, in each query's state, its nearest rows sorted closest
 * first. `queries` holds each query as (4 + tailDims) splatted vectors. The blocks are visited in chunks of
 * `chunkBlocks`, and every query scans a chunk before the next chunk is touched, so the chunk is read from
 * memory once and then served from cache to the whole group.
 */
export function search(
  metric: i32,
  head: usize,
  tail: usize,
  tailDims: i32,
  blocks: i32,
  queries: usize,
  nq: i32,
  states: usize,
  k: i32,
  chunkBlocks: i32,
): void {
  const queryBytes = (HEAD_DIMS + <usize>tailDims) << 4
  const stride = stateBytes(k)
  // Called through a function reference so that neither scan is inlined here: V8 moves a wasm function to its
  // optimising tier only when it is next entered, and a scan is entered once per chunk, soon after start-up,
  // where this function is entered once per batch.
  const scan = metric == METRIC_L1 ? scanL1 : scanSquaredL2
  const scanTwo = metric == METRIC_L1 ? scanPairL1 : scanPairSquaredL2
  resetStates(states, stride, nq)
  for (let c0 = 0; c0 < blocks; c0 += chunkBlocks) {
    const c1 = min(blocks, c0 + chunkBlocks)
    let q = 0
    for (; q + 1 < nq; q += 2) {
      const qv = queries + <usize>q * queryBytes
      const st = states + <usize>q * stride
      scanTwo(head, tail, tailDims, c0, c1, qv, st, qv + queryBytes, st + stride, k)
    }
    if (q < nq) scan(head, tail, tailDims, c0, c1, queries + <usize>q * queryBytes, states + <usize>q * stride, k)
  }
  for (let q = 0; q < nq; q++) sortState(states + <usize>q * stride, k)
}

function resetStates(states: usize, stride: usize, nq: i32): void {
  for (let q = 0; q < nq; q++) {
    const st = states + <usize>q * stride
    store<i32>(st, 0)
    store<f32>(st, Infinity, 4)
  }
}

// Two copies of one scan, each with its metric fixed, so the optimiser removes the metric test from the loop.
function scanSquaredL2(head: usize, tail: usize, tailDims: i32, b0: i32, b1: i32, qv: usize, st: usize, k: i32): void {
  scanRange(METRIC_SQUARED_L2, head, tail, tailDims, b0, b1, qv, st, k)
}

function scanL1(head: usize, tail: usize, tailDims: i32, b0: i32, b1: i32, qv: usize, st: usize, k: i32): void {
  scanRange(METRIC_L1, head, tail, tailDims, b0, b1, qv, st, k)
}

function scanPairSquaredL2(head: usize, tail: usize, tailDims: i32, b0: i32, b1: i32, qa: usize, sa: usize, qb: usize, sb: usize, k: i32): void {
  scanPair(METRIC_SQUARED_L2, head, tail, tailDims, b0, b1, qa, sa, qb, sb, k)
}

function scanPairL1(head: usize, tail: usize, tailDims: i32, b0: i32, b1: i32, qa: usize, sa: usize, qb: usize, sb: usize, k: i32): void {
  scanPair(METRIC_L1, head, tail, tailDims, b0, b1, qa, sa, qb, sb, k)
}

@inline
function term(metric: i32, row: v128, q: v128): v128 {
  const d = f32x4.sub(row, q)
  return metric == METRIC_L1 ? f32x4.abs(d) : f32x4.mul(d, d)
}

@inline
function scanRange(metric: i32, head: usize, tail: usize, tailDims: i32, b0: i32, b1: i32, qv: usize, st: usize, k: i32): void {
  const q0 = v128.load(qv, 0)
  const q1 = v128.load(qv, 16)
  const q2 = v128.load(qv, 32)
  const q3 = v128.load(qv, 48)
  const tailStride = <usize>tailDims << 4
  let thr = f32x4.splat(load<f32>(st, 4))
  let hp = head + <usize>b0 * BLOCK_HEAD_BYTES
  let tp = tail + <usize>b0 * tailStride
  for (let b = b0; b < b1; b++) {
    const acc = headSum(metric, hp, q0, q1, q2, q3)
    if (v128.any_true(f32x4.lt(acc, thr))) thr = finishBlock(metric, acc, tp, qv, tailDims, thr, st, k, b << 2)
    hp += BLOCK_HEAD_BYTES
    tp += tailStride
  }
}

// Two queries against each block: the head is loaded once for both and one branch covers both in the common
// case where neither needs the tail. Batches go through here.
@inline
function scanPair(metric: i32, head: usize, tail: usize, tailDims: i32, b0: i32, b1: i32, qa: usize, sa: usize, qb: usize, sb: usize, k: i32): void {
  const a0 = v128.load(qa, 0)
  const a1 = v128.load(qa, 16)
  const a2 = v128.load(qa, 32)
  const a3 = v128.load(qa, 48)
  const c0 = v128.load(qb, 0)
  const c1 = v128.load(qb, 16)
  const c2 = v128.load(qb, 32)
  const c3 = v128.load(qb, 48)
  const tailStride = <usize>tailDims << 4
  let thrA = f32x4.splat(load<f32>(sa, 4))
  let thrB = f32x4.splat(load<f32>(sb, 4))
  let hp = head + <usize>b0 * BLOCK_HEAD_BYTES
  let tp = tail + <usize>b0 * tailStride
  for (let b = b0; b < b1; b++) {
    const accA = headSum(metric, hp, a0, a1, a2, a3)
    const accB = headSum(metric, hp, c0, c1, c2, c3)
    const passA = f32x4.lt(accA, thrA)
    const passB = f32x4.lt(accB, thrB)
    if (v128.any_true(v128.or(passA, passB))) {
      if (v128.any_true(passA)) thrA = finishBlock(metric, accA, tp, qa, tailDims, thrA, sa, k, b << 2)
      if (v128.any_true(passB)) thrB = finishBlock(metric, accB, tp, qb, tailDims, thrB, sb, k, b << 2)
    }
    hp += BLOCK_HEAD_BYTES
    tp += tailStride
  }
}

/** The head's partial distance of the block at `hp`, summed as a tree so the terms do not wait on each other. */
@inline
function headSum(metric: i32, hp: usize, q0: v128, q1: v128, q2: v128, q3: v128): v128 {
  return f32x4.add(
    f32x4.add(term(metric, v128.load(hp, 0), q0), term(metric, v128.load(hp, 16), q1)),
    f32x4.add(term(metric, v128.load(hp, 32), q2), term(metric, v128.load(hp, 48), q3)),
  )
}

/** Completes a block whose head passed, offers the rows still under the threshold, returns the threshold. */
@inline
function finishBlock(metric: i32, acc: v128, tp: usize, qv: usize, tailDims: i32, thr: v128, st: usize, k: i32, firstRow: i32): v128 {
  const full = addTail(metric, acc, tp, qv + BLOCK_HEAD_BYTES, tailDims, thr)
  const mask = i32x4.bitmask(f32x4.lt(full, thr))
  return mask == 0 ? thr : f32x4.splat(admitLanes(st, k, full, mask, firstRow))
}

// The tail goes in groups of four dimensions with the same check after each, as the sum only grows; dimensions
// are ordered so that few rows survive even the first group.
@inline
function addTail(metric: i32, acc: v128, tp: usize, qv: usize, tailDims: i32, thr: v128): v128 {
  let t = 0
  for (; t + 4 <= tailDims; t += 4) {
    const r = tp + (<usize>t << 4)
    const q = qv + (<usize>t << 4)
    acc = f32x4.add(
      acc,
      f32x4.add(
        f32x4.add(term(metric, v128.load(r, 0), v128.load(q, 0)), term(metric, v128.load(r, 16), v128.load(q, 16))),
        f32x4.add(term(metric, v128.load(r, 32), v128.load(q, 32)), term(metric, v128.load(r, 48), v128.load(q, 48))),
      ),
    )
    if (!v128.any_true(f32x4.lt(acc, thr))) return acc
  }
  for (; t < tailDims; t++) {
    const off = <usize>t << 4
    acc = f32x4.add(acc, term(metric, v128.load(tp + off), v128.load(qv + off)))
  }
  return acc
}

/** Offers the lanes flagged in `mask` to the heap and returns the new threshold. */
function admitLanes(st: usize, k: i32, acc: v128, mask: i32, firstRow: i32): f32 {
  if (mask & 1) admit(st, k, f32x4.extract_lane(acc, 0), firstRow)
  if (mask & 2) admit(st, k, f32x4.extract_lane(acc, 1), firstRow + 1)
  if (mask & 4) admit(st, k, f32x4.extract_lane(acc, 2), firstRow + 2)
  if (mask & 8) admit(st, k, f32x4.extract_lane(acc, 3), firstRow + 3)
  return load<f32>(st, 4)
}

// The threshold stays +Infinity until k rows are held, then follows the heap's root (the k-th best).
function admit(st: usize, k: i32, d: f32, row: i32): void {
  const dist = st + STATE_HEADER
  const rows = dist + (<usize>k << 2)
  const count = load<i32>(st)
  if (count < k) {
    siftUp(dist, rows, count, d, row)
    store<i32>(st, count + 1)
    if (count + 1 == k) store<f32>(st, load<f32>(dist), 4)
  } else if (d < load<f32>(dist)) {
    siftDown(dist, rows, k, d, row)
    store<f32>(st, load<f32>(dist), 4)
  }
}

function siftUp(dist: usize, rows: usize, at: i32, d: f32, row: i32): void {
  let i = at
  while (i > 0) {
    const parent = (i - 1) >> 1
    const pd = load<f32>(dist + (<usize>parent << 2))
    if (pd >= d) break
    store<f32>(dist + (<usize>i << 2), pd)
    store<i32>(rows + (<usize>i << 2), load<i32>(rows + (<usize>parent << 2)))
    i = parent
  }
  store<f32>(dist + (<usize>i << 2), d)
  store<i32>(rows + (<usize>i << 2), row)
}

/** Puts (d, row) at the root of a max-heap of `size` entries and sinks it to its place. */
function siftDown(dist: usize, rows: usize, size: i32, d: f32, row: i32): void {
  let i = 0
  while (true) {
    let child = 2 * i + 1
    if (child >= size) break
    let cd = load<f32>(dist + (<usize>child << 2))
    if (child + 1 < size) {
      const rd = load<f32>(dist + (<usize>(child + 1) << 2))
      if (rd > cd) {
        child++
        cd = rd
      }
    }
    if (cd <= d) break
    store<f32>(dist + (<usize>i << 2), cd)
    store<i32>(rows + (<usize>i << 2), load<i32>(rows + (<usize>child << 2)))
    i = child
  }
  store<f32>(dist + (<usize>i << 2), d)
  store<i32>(rows + (<usize>i << 2), row)
}

/** Heap sort in place: repeatedly moves the largest to the end, leaving the entries closest first. */
function sortState(st: usize, k: i32): void {
  const dist = st + STATE_HEADER
  const rows = dist + (<usize>k << 2)
  for (let end = load<i32>(st) - 1; end > 0; end--) {
    const d = load<f32>(dist + (<usize>end << 2))
    const row = load<i32>(rows + (<usize>end << 2))
    store<f32>(dist + (<usize>end << 2), load<f32>(dist))
    store<i32>(rows + (<usize>end << 2), load<i32>(rows))
    siftDown(dist, rows, end, d, row)
  }
}
