import { SvdRecommender } from '../../src/models/svd/svd.js'
import { runRecommenderSuite } from '../contract/recommender.case.js'

const constant = 'an explicit-rating model: every checkerboard play is 1, a constant rating that carries no taste for SVD to learn'
runRecommenderSuite('svd', () => new SvdRecommender({ factors: 8, epochs: 30 }), {
  load: (a) => SvdRecommender.load(a),
  skip: {
    'checkerboard: the withheld item comes first': constant,
    'fold-in of a new listener': constant,
    'similar items on the checkerboard': constant,
    'graded: a few close tastes outweigh many distant ones': constant,
  },
})
