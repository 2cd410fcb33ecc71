import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'
import { playlistFolder, type Lists } from './playlist-folder.js'

// serve --playlists without listening data, on the engine fixture (nine tracks around 'Seed Song'): one
// invented playlist puts the seed beside the track whose sound is furthest from it. The fixture's ids are not
// Spotify's 22 characters, so the playlist names its tracks by invented ids, linked by artist and title.
const TWO: Lists = [[7, 'two', [['inventedSeedSong000001', 'Alpha', 'Seed Song'], ['inventedDistant0000001', 'Eta', 'Distant Thunder']]]]
describe('without listening data, on the engine fixture', () => {
  const home = () => mkdtempSync(join(tmpdir(), 'segue-playlists-fixture-'))
  const catalogue = join(fixturesDir, 'engine', 'catalogue.csv')

  test('playlists alone make "Listeners like you" available once loaded', async () => {
    const seed = 'seed0000000000000000001'
    const far = 'far00000000000000000009'
    const s = await SegueService.start({ home: home(), catalogue, listening: null, playlists: playlistFolder(TWO) })
    try {
      await s.playlistsReady
      assert.deepEqual(s.models().models.map((m) => m.name), ['content', 'collaborative', 'hybrid'])
      const { listener } = await s.createListener(null)
      await s.feedback(listener.id, seed, 'like')
      const r = await s.recommendations(listener.id, { model: 'collaborative', n: 5, seeds: [] })
      assert.equal(r.items[0].track.id, far, 'the only track sharing a playlist, though its sound is the furthest')
      assert.equal(r.items[0].reasons[0].text, 'Often in playlists with “Seed Song”')
      // The hybrid fuses with the weights tuned for track co-occurrence (0.1 content, 0.9 collaborative), so
      // the playlist pick leads; the artist-level hand-set 0.55/0.45 would put the nearest sound first.
      const mix = await s.recommendations(listener.id, { model: 'hybrid', n: 5, seeds: [] })
      assert.equal(mix.items[0].track.id, far)
      // 0.9 / (20 + 1) as the collaborative list's first, plus 0.1 / (20 + rank) as one of content's.
      assert.ok(mix.items[0].score > 0.9 / 21 && mix.items[0].score < 0.9 / 21 + 0.1 / 21, `score ${mix.items[0].score}`)
      assert.ok(mix.items.some((i) => i.reasons[0].kind === 'like'), 'content picks follow')
    } finally {
      await s.close()
    }
  })

  test('a --playlists path that does not exist stops the start with E_INPUT_FILE', async () => {
    await assert.rejects(
      () => SegueService.start({ home: home(), catalogue, listening: null, playlists: join(tmpdir(), 'no-such-playlists-folder') }),
      (e: Error & { code?: string }) => e.code === 'E_INPUT_FILE' && /no-such-playlists-folder/.test(e.message),
    )
  })
})
