import { buildInteractions, type Interactions, type RawInteraction } from '../../src/data/interactions.js'
import { loadListening } from '../../src/listening/source.js'
import { SKIP_NO_SHARED, sharedFile } from '../helpers/paths.js'
import { runDefaultsCase, SVD_EXCLUDED, NEURAL_HYBRID_EXCLUDED } from './defaults-case.js'

const dir = sharedFile('movielens-100k', 'u.data') === null ? null : sharedFile('movielens-100k')

// MovieLens 100K read as implicit: every rating, whatever its stars, is one interaction (value 1). Item-kNN's
// old default (BM25, K1 = 100) ranked below popularity here; 'auto' weighting picks cosine for binary values.
runDefaultsCase({
  dataset: 'MovieLens 100K read as binary',
  load: async () => binary((await loadListening(dir!)).data),
  excluded: { svd: SVD_EXCLUDED, 'neural-hybrid': NEURAL_HYBRID_EXCLUDED },
  skip: dir === null && `${SKIP_NO_SHARED} (MovieLens 100K is not bundled)`,
})

function binary(ratings: Interactions): Interactions {
  const m = ratings.matrix
  const events: RawInteraction[] = []
  for (let u = 0; u < m.rows; u++) {
    for (let p = m.indptr[u]; p < m.indptr[u + 1]; p++) events.push({ user: ratings.users.rawId(u), item: ratings.items.rawId(m.indices[p]), value: 1 })
  }
  return buildInteractions(events, 'implicit')
}
