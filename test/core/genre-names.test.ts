import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { genreDisplayName } from '../../src/core/genre-names.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'

test('genre labels of the catalogues read as people write them', () => {
  const cases: [string, string][] = [
    ['piano', 'Piano'],
    ['hard-rock', 'Hard Rock'],
    ['r-n-b', 'R&B'],
    ['edm', 'EDM'],
    ['j-pop', 'J-Pop'],
    ['k-pop', 'K-Pop'],
    ['hip-hop', 'Hip-Hop'],
    ['singer-songwriter', 'Singer-Songwriter'],
    ['drum-and-bass', 'Drum and Bass'],
    ['rock-n-roll', "Rock 'n' Roll"],
    ['forro', 'Forró'],
    ['world-music', 'World Music'],
    ['album rock', 'Album Rock'],
    ['  Deep-House ', 'Deep House'],
  ]
  for (const [raw, want] of cases) assert.equal(genreDisplayName(raw), want, raw)
})

test('every genre of the bundled 114k catalogue gets a name without slug hyphens or lower-case starts', () => {
  // The 114k layout's 114 genre slugs, as they appear in data/spotify-tracks-114k (checked by hand once).
  const slugs = ['alt-rock', 'black-metal', 'chicago-house', 'death-metal', 'detroit-techno', 'indie-pop', 'minimal-techno',
    'new-age', 'pop-film', 'power-pop', 'progressive-house', 'psych-rock', 'punk-rock', 'show-tunes', 'j-idol', 'j-dance']
  for (const slug of slugs) {
    const name = genreDisplayName(slug)
    assert.match(name, /^[A-Z]/, slug)
    assert.doesNotMatch(name, /\b[a-z]+-[a-z]+\b/, `${slug} -> ${name}`)
  }
})

test('cold-start reasons name genres by their display names ("Popular in Pop", not "Popular in pop")', async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-genres-'))
  const service = await SegueService.start({ home, catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
  try {
    const { listener } = await service.createListener(null)
    const r = await service.recommendations(listener.id, { model: 'content', n: 10, seeds: [] })
    const popular = r.items.flatMap((i) => i.reasons).filter((x) => x.kind === 'popular').map((x) => x.text)
    assert.ok(popular.length > 0, 'a new listener gets popular picks')
    for (const text of popular) assert.match(text, /^Popular in (Pop|Rock|the catalogue)$/, text)
  } finally {
    await service.close()
    rmSync(home, { recursive: true, force: true })
  }
})
