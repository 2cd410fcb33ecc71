import { SegueError } from '../../core/errors.js'
import { createModel } from '../../models/registry.js'
import type { Recommender } from '../../models/types.js'
import { PopularityOrder, fillList } from './fill.js'
import { TitleContinuation } from './title.js'
import type { ContinuationFitOptions, ContinuationModel, ContinuationQuery, ContinuationTrain } from './types.js'

export interface RecommenderContinuationOptions {
  /** Fill with the title model (then popularity) where the model has nothing to say; off for the popularity baseline. */
  titleFallback: boolean
}

/**
 * Any segue Recommender as a continuation model: the seeds are folded in as an ad-hoc history
 * (`recommend({ history })`, which every registry model supports) and the model's own scored items come
 * first. Seeds no training playlist holds are left out of the history: a collaborative model knows nothing
 * of them (and a factor model's vector for an unseen item is noise). Where the model scores fewer than n
 * items (or there are no usable seeds), the list is filled from the title model, then by popularity.
 */
export class RecommenderContinuation implements ContinuationModel {
  private model?: Recommender
  private popular?: PopularityOrder
  private readonly title = new TitleContinuation()

  constructor(
    readonly name: string,
    private readonly params: Record<string, unknown> = {},
    private readonly opts: RecommenderContinuationOptions = { titleFallback: true },
    /** The registry model's name, when `name` is a label of its own (e.g. 'ease' with continuation defaults). */
    private readonly modelName = name,
  ) {
    createModel(modelName, params) // unknown names and bad parameters fail here, before any data is read
  }

  async fit(train: ContinuationTrain, opts: ContinuationFitOptions = {}): Promise<void> {
    const model = createModel(this.modelName, this.params)
    await model.fit(train.interactions, opts)
    this.model = model
    this.popular = PopularityOrder.of(train.interactions)
    if (this.opts.titleFallback) await this.title.fit(train)
  }

  continue(query: ContinuationQuery, n: number): number[] {
    const { model, popular } = this.fitted()
    const history = [...new Set(query.seeds)].filter((t) => popular.known(t))
    const own = history.length === 0 ? [] : this.scored(model, history, query.seeds, n)
    const byTitle = this.opts.titleFallback && own.length < n ? this.title.titleTracks(query.title, n + query.seeds.length + own.length) : []
    return fillList(n, query.seeds, [own, byTitle, popular.top(n + query.seeds.length)])
  }

  /** The items the model itself scored (its popularity backfill, scored -Infinity, is left to fillList). */
  private scored(model: Recommender, history: number[], seeds: readonly number[], n: number): number[] {
    const list = model.recommend({ history }, { n, excludeSeen: true, filter: { block: new Set(seeds) } })
    return list.filter((s) => Number.isFinite(s.score)).map((s) => s.item)
  }

  private fitted(): { model: Recommender; popular: PopularityOrder } {
    if (!this.model || !this.popular) throw new SegueError('E_BAD_ARGUMENT', `${this.name}: the model is not fitted yet; call fit() first`)
    return { model: this.model, popular: this.popular }
  }
}
