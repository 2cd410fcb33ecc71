import { rowIndices } from '../../src/core/csr.js'
import type { Interactions } from '../../src/data/interactions.js'
import type { FitOptions, FitReport, ModelArtifact, RatingPredictor, RecommendOptions, Recommender, Scored, UserRef } from '../../src/models/types.js'
import { selectTopN } from '../../src/rerank/select.js'

/**
 * A tiny but real Recommender: scores every item by how many training users played it. `favourite`, when set,
 * is lifted above everything else (tuning tests use it as the knob with a known best value).
 */
export class PopularityToy implements Recommender {
  readonly name: string
  fitted?: Interactions
  private scores = new Float32Array(0)

  constructor(private readonly favourite?: number, name = 'popularity') {
    this.name = name
  }

  async fit(data: Interactions, opts: FitOptions = {}): Promise<FitReport> {
    this.fitted = data
    this.scores = new Float32Array(data.matrix.cols)
    for (const item of data.matrix.indices) this.scores[item]++
    if (this.favourite !== undefined) this.scores[this.favourite] = data.matrix.rows + 1
    opts.onProgress?.({ iteration: 1, total: 1, seconds: 0 })
    return { seconds: 0, iterations: 1 }
  }

  recommend(user: UserRef, opts: RecommendOptions = {}): Scored[] {
    const seen = 'user' in user && opts.excludeSeen !== false && this.fitted ? rowIndices(this.fitted.matrix, user.user) : undefined
    return selectTopN(this.scores, { n: opts.n ?? 10, exclude: seen, filter: opts.filter })
  }

  async recommendMany(users: readonly number[], opts?: RecommendOptions): Promise<Scored[][]> {
    return users.map((user) => this.recommend({ user }, opts))
  }

  similarItems(): Scored[] {
    return []
  }

  save(): ModelArtifact {
    return { kind: 'popularity-toy', version: 1, meta: {}, blobs: { scores: this.scores } }
  }
}

/** The popularity toy that also predicts every rating as one constant. */
export class ConstantRater extends PopularityToy implements RatingPredictor {
  constructor(private readonly rating: number) {
    super(undefined, `constant-${rating}`)
  }

  predict(): number {
    return this.rating
  }
}
