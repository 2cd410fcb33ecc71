/**
 * The k smallest distances seen so far, as a max-heap, so the k-th best (the bar a newcomer must pass) is
 * always at the root. Distances are kept as f32, as the WebAssembly kernel keeps them.
 */
export class TopKHeap {
  readonly dist: Float32Array
  readonly rows: Int32Array
  count = 0

  constructor(readonly k: number) {
    this.dist = new Float32Array(k)
    this.rows = new Int32Array(k)
  }

  /** The distance a row must beat to enter: +Infinity until k rows are held. */
  threshold(): number {
    return this.count < this.k ? Infinity : this.dist[0]
  }

  /** Offers a row; returns the new threshold. */
  offer(d: number, row: number): number {
    if (this.count < this.k) this.siftUp(this.count++, d, row)
    else if (d < this.dist[0]) this.siftDown(this.k, d, row)
    return this.threshold()
  }

  /** Empties the heap into `dist`/`rows` at `offset`, closest first; returns how many there were. */
  drainSorted(dist: Float32Array, rows: Int32Array, offset: number): number {
    const n = this.count
    for (let end = n - 1; end >= 0; end--) {
      dist[offset + end] = this.dist[0]
      rows[offset + end] = this.rows[0]
      this.siftDown(end, this.dist[end], this.rows[end])
    }
    this.count = 0
    return n
  }

  private siftUp(at: number, d: number, row: number): void {
    let i = at
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.dist[parent] >= d) break
      this.dist[i] = this.dist[parent]
      this.rows[i] = this.rows[parent]
      i = parent
    }
    this.dist[i] = d
    this.rows[i] = row
  }

  private siftDown(size: number, d: number, row: number): void {
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= size) break
      if (child + 1 < size && this.dist[child + 1] > this.dist[child]) child++
      if (this.dist[child] <= d) break
      this.dist[i] = this.dist[child]
      this.rows[i] = this.rows[child]
      i = child
    }
    this.dist[i] = d
    this.rows[i] = row
  }
}
