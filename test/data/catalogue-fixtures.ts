import { join } from 'node:path'
import { fixturesDir } from '../helpers/paths.js'
import { isSegueError, type ErrorCode } from '../../src/core/errors.js'
import type { Track } from '../../src/core/track.js'

/** Path of a file under test/fixtures/catalogue. */
export function catalogueFixture(...parts: string[]): string {
  return join(fixturesDir, 'catalogue', ...parts)
}

export function byId(tracks: Track[], id: string): Track {
  const t = tracks.find((x) => x.id === id)
  if (t === undefined) throw new Error(`no track ${id}`)
  return t
}

/** A predicate for assert.rejects/throws: a SegueError with this code whose message matches. */
export function segueError(code: ErrorCode, message: RegExp): (err: unknown) => boolean {
  return (err) => {
    if (!isSegueError(err)) throw new Error(`expected a SegueError, got ${String(err)}`)
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`)
    if (!message.test(err.message)) throw new Error(`message ${JSON.stringify(err.message)} does not match ${message}`)
    return true
  }
}

/** Escapes a path for use inside a RegExp. */
export function re(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
