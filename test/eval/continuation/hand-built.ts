import { Rng } from '../../../src/core/rng.js'
import type { Playlist, PlaylistSet } from '../../../src/data/playlists/types.js'

/**
 * Two kinds of playlists over two disjoint pools of tracks: `rock` playlists (the many) draw from tracks
 * 0..pool-1, `jazz` playlists (the few) from pool..2*pool-1. Popularity is all rock; a jazz playlist's
 * continuation is all jazz, which any co-occurrence model sees from its seeds. Artists: 10 tracks each.
 */
export function twoScenes(opts: { rock: number; jazz: number; pool: number; length: number; seed: number }): PlaylistSet {
  const rng = new Rng(opts.seed)
  const tracks = Array.from({ length: 2 * opts.pool }, (_, i) => ({ id: `t${i}`, artist: `artist ${Math.floor(i / 10)}`, title: `song ${i}` }))
  const playlists: Playlist[] = []
  const draw = (offset: number) => {
    const picked = new Set<number>()
    // Skewed draws: low indices of a pool are its hits, so some tracks are far more common than others.
    while (picked.size < opts.length) picked.add(offset + Math.floor(opts.pool * rng.next() ** 2))
    return [...picked]
  }
  for (let i = 0; i < opts.rock + opts.jazz; i++) {
    const jazz = i % Math.ceil((opts.rock + opts.jazz) / opts.jazz) === 0 && playlists.filter((p) => p.name.startsWith('jazz')).length < opts.jazz
    playlists.push({ pid: i, name: jazz ? `jazz ${i % 3 === 0 ? 'night' : 'club'}` : `rock ${i % 2 === 0 ? 'anthems' : 'classics'}`, tracks: draw(jazz ? opts.pool : 0) })
  }
  return { tracks, trackIndex: new Map(tracks.map((t, i) => [t.id, i])), playlists }
}
