import { NeuralHybridRecommender } from '../../src/deep/neural-hybrid/model.js'
import { runRecommenderSuite } from '../contract/recommender.case.js'

// Tiny and fast: the fixtures have at most 50 users, so one batch per epoch, in-sample validation.
const TOY = { dims: 8, hidden: 16, positives: 4, negatives: 12, batch: 256, epochs: 20, learningRate: 0.05, validation: 0, patience: 20 } as const
runRecommenderSuite('neural-hybrid', () => new NeuralHybridRecommender(TOY), { load: (a) => NeuralHybridRecommender.load(a) })
