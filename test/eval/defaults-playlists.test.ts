import { playlistInteractions } from '../../src/data/playlists/interactions.js'
import { readPlaylists } from '../../src/data/playlists/read.js'
import { SKIP_NO_SHARED, sharedFile } from '../helpers/paths.js'
import { runDefaultsCase, SVD_EXCLUDED, NEURAL_HYBRID_EXCLUDED } from './defaults-case.js'

// The MPD sample (7,102 playlists, 202,008 tracks; research use only, so never copied into the repo): playlist
// = user, track = item. EASE keeps its maxItems most used tracks rather than refusing the 202,008. Slow: every
// model on 7,102 x 202,008 (24 minutes of wall clock at load average 17 on 2 shared cores).
const dir = sharedFile('spotify-mpd-sample', 'playlist_tracks.tsv') === null ? null : sharedFile('spotify-mpd-sample')

runDefaultsCase({
  dataset: 'the MPD playlist sample',
  load: async () => playlistInteractions((await readPlaylists(dir!)).set),
  excluded: { svd: SVD_EXCLUDED, 'neural-hybrid': NEURAL_HYBRID_EXCLUDED },
  skip: dir === null && `${SKIP_NO_SHARED} (the MPD sample may not be redistributed)`,
})
