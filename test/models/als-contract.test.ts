import { AlsRecommender } from '../../src/models/als/als.js'
import { runRecommenderSuite } from '../contract/recommender.case.js'

// Three factors: the checkerboard has rank two, and with many more a model this small memorises the withheld
// diagonal as a dislike. The defaults' strong regularisation suits real play counts, not a 0/1 toy, so the
// suite runs with implicit's classic settings.
const TOY = { factors: 3, regularization: 0.01, alpha: 1, confidence: 'linear' } as const
runRecommenderSuite('als', () => new AlsRecommender({ ...TOY, threads: 1 }), { load: (a) => AlsRecommender.load(a) })
// Loading picks the kernel afresh (the artifact does not pin one), so this run loads onto the same backend.
runRecommenderSuite('als (2 threads, ts kernels)', () => new AlsRecommender({ ...TOY, threads: 2, backend: 'ts' }), {
  load: (a) => AlsRecommender.load(a, { backend: 'ts' }),
})
