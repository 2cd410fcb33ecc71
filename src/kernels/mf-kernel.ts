/**
 * The hot loops of matrix factorisation (ALS, BPR, batch scoring) behind one interface, with a plain-TS and a
 * WebAssembly SIMD backend (mf-ts.ts, mf-wasm.ts; chosen in mf-backend.ts).
 *
 * Factor matrices are row-major Float32Arrays (rows x k). A kernel holds one "fixed" factor matrix at a time:
 * the side held constant while ALS solves the other, or the item factors when scoring. The WASM backend copies
 * it into its own linear memory once (a module's memory cannot wrap an outside buffer), so callers set it once
 * per half-iteration or per batch, not per row.
 */
export interface MfKernel {
  readonly backend: 'wasm' | 'ts'
  /** Holds `y` (rows x k) as the fixed side for the calls below, until the next setFixed. */
  setFixed(y: Float32Array, rows: number, k: number): void
  /** Σ y yᵀ (k x k) over fixed-side rows [from, to) (default all: YᵀY). */
  gram(from?: number, to?: number): Float32Array
  /**
   * Conjugate-gradient steps for each row of `job.x`, in place, against the fixed side Y: solves
   * (G + Σ_i (c_i - 1) y_i y_iᵀ) x = Σ_i c_i y_i, where G = YᵀY + λI and the row's (i, c_i) pairs are
   * indices/conf[indptr[r] .. indptr[r + 1]) (indptr may start above zero: a slice of a larger matrix).
   */
  cgSolve(job: CgJob, g: Float32Array, steps: number): void
  /** U (m x k) · Yᵀ: m x rows scores against the fixed side. */
  scores(u: Float32Array, m: number): Float32Array
  /**
   * Each of m users' `top` best fixed-side rows, best first, ties to the lower item, leaving out the rows in
   * `seen` (sorted per user; seen[seenPtr[a] .. seenPtr[a + 1]), indptr may start above zero). With `order`, the
   * fixed rows are sorted by norm (see RowOrder), seen lists hold row positions, results hold item ids, and the
   * scan may stop early (exactly: only rows that cannot enter any top list are skipped).
   */
  recommend(u: Float32Array, m: number, seenPtr: Int32Array, seen: Int32Array, top: number, order?: RowOrder): TopBlock
  /** Starts BPR SGD on these arrays; the session's steps update them (WASM: from finish() on). */
  bpr(u: Float32Array, v: Float32Array, bias: Float32Array, k: number): BprSession
}

/** Fixed-side rows stored largest norm first: row r is item perm[r], with norm norms[r] (non-increasing). */
export interface RowOrder {
  perm: Int32Array
  norms: Float32Array
}

export interface CgJob {
  x: Float32Array
  indptr: Int32Array
  indices: Int32Array
  conf: Float32Array
}

/** Per-user top lists: user a's are items/scores[a * top .. a * top + counts[a]). */
export interface TopBlock {
  items: Int32Array
  scores: Float32Array
  counts: Int32Array
}

export interface BprSession {
  /**
   * One SGD step per sampled triple (u, i, j) in `triples` (3 ints each, `count` of them); returns
   * Σ ln σ(x_uij) measured before each step.
   */
  steps(triples: Int32Array, count: number, lr: number, reg: number): number
  /** Writes the learnt values back to the arrays given to bpr() (a no-op where they were updated in place). */
  finish(): void
}
