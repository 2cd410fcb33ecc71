import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundledCatalogue } from '../../src/core/paths.js'
import { linkArtists } from '../../src/data/link-artists.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { linkArtistsSaved, loadListeningSaved } from '../../src/listening/saved.js'
import { BUNDLED_LISTENING } from '../../src/listening/source.js'

// The bundled HetRec artists linked to the bundled 114k catalogue: what a server's later start loads instead of
// keying every artist credit of the catalogue again.
describe('saved artist links (bundled HetRec and 114k catalogue)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-links-'))
  const path = join(dir, 'artist-links.art')
  const { listening, key } = await loadListeningSaved(BUNDLED_LISTENING, join(dir, 'listening.art'))
  const { tracks } = await readCatalogue(bundledCatalogue())
  const names = listening.itemNames
  const expected = linkArtists(names, tracks)

  it('are linked once, then loaded equal to linking afresh', () => {
    assert.ok(key !== null)
    const first = linkArtistsSaved(path, key, 'v1', names, tracks)
    assert.equal(first.origin, 'built')
    assert.ok(existsSync(path))
    const second = linkArtistsSaved(path, key, 'v1', names, tracks)
    assert.equal(second.origin, 'loaded')
    for (const links of [first.links, second.links]) {
      assert.deepEqual([...links.byLastfmId], [...expected.byLastfmId])
      assert.deepEqual([links.matched, links.total, links.matchRate], [expected.matched, expected.total, expected.matchRate])
    }
    assert.ok(expected.matched > 3000, `${expected.matched} linked`)
  })

  it('another catalogue version or other listening data links afresh', () => {
    assert.equal(linkArtistsSaved(path, key!, 'v2', names, tracks).origin, 'built')
    assert.equal(linkArtistsSaved(path, `${key}x`, 'v2', names, tracks).origin, 'built')
    assert.equal(linkArtistsSaved(path, `${key}x`, 'v2', names, tracks).origin, 'loaded')
  })

  it('a damaged artifact is replaced with a warning, and the links stay the same', () => {
    const bytes = readFileSync(path)
    bytes[bytes.length >> 1] ^= 0xff
    writeFileSync(path, bytes)
    const warnings: string[] = []
    const again = linkArtistsSaved(path, `${key}x`, 'v2', names, tracks, (m) => warnings.push(m))
    assert.equal(again.origin, 'built')
    assert.deepEqual([...again.links.byLastfmId], [...expected.byLastfmId])
    assert.equal(warnings.length, 1)
    assert.match(warnings[0], /artist-links\.art: checksum mismatch.*linking the artists again/)
    assert.equal(linkArtistsSaved(path, `${key}x`, 'v2', names, tracks).origin, 'loaded')
  })

  it('links that do not fit the listening data are refused as damaged', () => {
    const fewer = new Map([...names].slice(0, 100))
    const warnings: string[] = []
    const again = linkArtistsSaved(path, `${key}x`, 'v2', fewer, tracks, (m) => warnings.push(m))
    assert.equal(again.origin, 'built')
    assert.match(warnings.join('\n'), /do not fit the listening data/)
  })
})
