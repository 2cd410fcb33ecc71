import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadListening } from '../../src/listening/source.js'
import { saveTrained, trainModel } from '../../src/listening/trained.js'

/**
 * A small world for rollout tests: 8 artists (4 tracks each) in a catalogue, and HetRec-layout listening
 * data in which 48 users mostly play one of two groups of 4 artists and sometimes the other group, so models
 * with different parameters rank artists differently. Everything is derived from a fixed formula (no randomness).
 */
export const ARTISTS = ['Amber Lake', 'Brass Hollow', 'Cinder Vale', 'Dune Echo', 'Ember Tide', 'Frost Meridian', 'Gale Harbour', 'Hazel Static']
const TRACKS_PER_ARTIST = 4
const USERS = 48

export interface World {
  catalogue: string
  listening: string
  /** The id of artist a's track t. */
  trackId(a: number, t: number): string
}

/** `users`: how many listeners the listening data has; another count gives other data (another dataKey). */
export function makeWorld(users = USERS): World {
  const dir = mkdtempSync(join(tmpdir(), 'segue-rollout-world-'))
  const trackId = (a: number, t: number) => `rollout${a}${t}`.padEnd(22, 'x')
  const header = ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre'
  const rows = [header]
  ARTISTS.forEach((artist, a) => {
    for (let t = 0; t < TRACKS_PER_ARTIST; t++) {
      const f = (k: number) => (((a * 7 + t * 3 + k * 5) % 10) / 10 + 0.05).toFixed(2)
      const genre = a < 4 ? 'indie' : 'techno'
      rows.push([rows.length - 1, trackId(a, t), artist, `${artist} Album`, `${artist} Song ${t + 1}`, 40 + a + t, 200000, 'False', f(1), f(2), t % 12, -8, 1, f(3), f(4), 0, f(5), f(6), 100 + a * 5 + t, 4, genre].join(','))
    }
  })
  const catalogue = join(dir, 'catalogue.csv')
  writeFileSync(catalogue, rows.join('\n') + '\n')

  const listening = join(dir, 'hetrec')
  mkdirSync(listening)
  const artistsDat = ['id\tname\turl\tpictureURL', ...ARTISTS.map((n, a) => `${a + 1}\t${n}\thttp://www.last.fm/music/${encodeURIComponent(n)}\t`)]
  const plays = ['userID\tartistID\tweight']
  for (let u = 1; u <= users; u++) {
    const group = u % 2 === 0 ? 0 : 4
    for (let a = 0; a < 8; a++) {
      const own = a >= group && a < group + 4
      // Every user plays their group's artists heavily; some also play one or two of the other group's.
      const weight = own ? 50 + ((u * 13 + a * 7) % 40) * 10 : ((u + a) % 5 === 0 ? 20 + ((u * a) % 30) : 0)
      if (weight > 0) plays.push(`${u}\t${a + 1}\t${weight}`)
    }
  }
  writeFileSync(join(listening, 'artists.dat'), artistsDat.join('\n') + '\n')
  writeFileSync(join(listening, 'user_artists.dat'), plays.join('\n') + '\n')
  writeFileSync(join(listening, 'tags.dat'), 'tagID\ttagValue\n1\trock\n')
  writeFileSync(join(listening, 'user_taggedartists.dat'), 'userID\tartistID\ttagID\tday\tmonth\tyear\n1\t1\t1\t1\t4\t2009\n')
  writeFileSync(join(listening, 'user_friends.dat'), 'userID\tfriendID\n1\t2\n2\t1\n')
  return { catalogue, listening, trackId }
}

/** An ALS model of the world's listening data fitted with `params`, as the bytes saveTrained writes. */
export async function trainedBytes(world: World, params: Record<string, unknown>): Promise<Buffer> {
  const listening = await loadListening(world.listening)
  const file = join(mkdtempSync(join(tmpdir(), 'segue-rollout-model-')), 'als.art')
  saveTrained(file, await trainModel('als', params, listening))
  return readFileSync(file)
}
