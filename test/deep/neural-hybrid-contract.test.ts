import { NeuralHybridRecommender } from '../../src/deep/neural-hybrid/rerank-model.js'
import { runRecommenderSuite } from '../contract/recommender.case.js'

// Tiny and fast: the fixtures have at most 50 users and items, so EASE's top 50 holds every item; few epochs.
const TOY = { dims: 8, hidden: 16, candidates: 50, epochs: 8, batch: 16, patience: 8, learningRate: 0.01 } as const
runRecommenderSuite('neural-hybrid', () => new NeuralHybridRecommender(TOY), { load: (a) => NeuralHybridRecommender.load(a) })
