import { BprRecommender } from '../../src/models/bpr/bpr.js'
import { runRecommenderSuite } from '../contract/recommender.case.js'

runRecommenderSuite('bpr', () => new BprRecommender({ factors: 8, epochs: 60, learningRate: 0.05, threads: 1 }), { load: (a) => BprRecommender.load(a) })
