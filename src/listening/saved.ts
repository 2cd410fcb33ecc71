import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { loadArtifact, saveArtifact, type Blob } from '../core/artifact.js'
import { SegueError, isSegueError } from '../core/errors.js'
import { IdMap } from '../core/ids.js'
import type { Track } from '../core/track.js'
import { linkArtists, linkingFingerprint, type ArtistLinks } from '../data/link-artists.js'
import type { ReadListensOptions } from '../data/listens/read-table.js'
import { loadListening, type ListeningData, type ListeningFormat } from './source.js'

/**
 * Listening data saved after its first read, so a later start skips parsing the source (HetRec's five
 * tables, tags included) and building the interaction matrix. The key is a hash of the source files' bytes
 * (hashing the few MB is far cheaper than parsing them), so an edited or replaced source is read afresh.
 * Blobs: the CSR matrix (indptr, indices, data) and times when the source has them; ids, names and the
 * reader's report go in the header.
 */
export const LISTENING_ARTIFACT = { kind: 'listening-data', version: 1 } as const

interface ListeningMeta {
  source: string
  format: ListeningFormat
  kind: 'implicit' | 'explicit'
  itemKind: 'artist' | 'item'
  users: readonly string[]
  items: readonly string[]
  itemNames: [string, string][]
  report: unknown
}

/**
 * The listening data at `source`, from the artifact at `artifactPath` when it was saved from the same bytes,
 * else read (and then saved there). A damaged or outdated artifact is reported through `warn` and replaced.
 */
export async function loadListeningSaved(
  source: string,
  artifactPath: string,
  opts: ReadListensOptions & { warn?: (m: string) => void } = {},
): Promise<{ listening: ListeningData; origin: 'loaded' | 'built'; key: string | null }> {
  // A missing source gets the reader's own error, naming it.
  if (!existsSync(source)) return { listening: await loadListening(source, opts), origin: 'built', key: null }
  const key = sourceKey(source)
  const saved = readSaved(artifactPath, key, opts.warn)
  if (saved) return { listening: { ...saved, source }, origin: 'loaded', key }
  const listening = await loadListening(source, opts)
  saveListening(artifactPath, key, listening)
  return { listening, origin: 'built', key }
}

export function saveListening(path: string, key: string, l: ListeningData): void {
  const { matrix, times, kind, users, items } = l.data
  const meta: ListeningMeta = {
    source: l.source, format: l.format, kind, itemKind: l.itemKind,
    users: users.rawIds(), items: items.rawIds(), itemNames: [...l.itemNames], report: l.report,
  }
  const blobs: Record<string, Blob> = { indptr: matrix.indptr, indices: matrix.indices, data: matrix.data }
  if (times) blobs.times = times
  saveArtifact(path, { ...LISTENING_ARTIFACT, key, meta: meta as unknown as Record<string, unknown> }, blobs)
}

function readSaved(path: string, key: string, warn?: (m: string) => void): ListeningData | null {
  try {
    // Blobs as views of the file's bytes: every one of them is kept, so a copy would only double the memory.
    const { header, blobs } = loadArtifact(path, LISTENING_ARTIFACT, { copy: false })
    if (header.key !== key) throw new SegueError('E_ARTIFACT_VERSION', `${path}: listening data read from other files`)
    return rebuild(header.meta as unknown as ListeningMeta, blobs, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    if (!isSegueError(err) || (err.code !== 'E_ARTIFACT_CORRUPT' && err.code !== 'E_ARTIFACT_VERSION')) throw err
    warn?.(`${err.message}; reading the source again`)
    return null
  }
}

function rebuild(m: ListeningMeta, blobs: Record<string, Blob>, path: string): ListeningData {
  const [indptr, indices, data] = [blobs.indptr, blobs.indices, blobs.data]
  const fits = indptr instanceof Int32Array && indices instanceof Int32Array && data instanceof Float32Array &&
    indptr.length === m.users.length + 1 && indptr[m.users.length] === indices.length && data.length === indices.length &&
    indices.every((c) => c >= 0 && c < m.items.length)
  if (!fits) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: the interaction matrix does not fit its ids`)
  const times = blobs.times instanceof Float64Array ? blobs.times : undefined
  const matrix = { rows: m.users.length, cols: m.items.length, indptr, indices, data }
  return {
    data: { users: IdMap.from(m.users), items: IdMap.from(m.items), matrix, times, kind: m.kind },
    source: m.source,
    format: m.format,
    itemNames: new Map(m.itemNames),
    itemKind: m.itemKind,
    report: m.report,
  }
}

/** A hash of every file the source is made of (a folder's files by name, or the one file), with their names. */
function sourceKey(source: string): string {
  const h = createHash('sha256').update(`${LISTENING_ARTIFACT.version}\n`)
  const files = statSync(source).isDirectory() ? readdirSync(source).sort().map((f) => join(source, f)) : [source]
  for (const f of files) {
    if (!statSync(f).isFile()) continue
    h.update(f).update('\0').update(readFileSync(f)).update('\0')
  }
  return h.digest('hex').slice(0, 32)
}

/**
 * The listening data's artists linked to catalogue artists (linkArtists), saved: linking keys every artist
 * credit of the catalogue, which a later start need not repeat. Keyed by the listening data's key (the hash of
 * its source, from loadListeningSaved), the catalogue version and the text of the linking code.
 */
export const ARTIST_LINKS_ARTIFACT = { kind: 'artist-links', version: 1 } as const

/**
 * linkArtists(names, tracks), from the artifact at `path` when it was saved for the same listening data
 * (`listeningKey`) and catalogue (`catalogueVersion`), else linked now and saved there. A damaged artifact is
 * reported through `warn` and replaced.
 */
export function linkArtistsSaved(
  path: string,
  listeningKey: string,
  catalogueVersion: string,
  names: ReadonlyMap<string, string>,
  tracks: readonly Track[],
  warn?: (m: string) => void,
): { links: ArtistLinks; origin: 'loaded' | 'built' } {
  const key = createHash('sha256').update(`${listeningKey}\0${catalogueVersion}\0${linkingFingerprint()}`).digest('hex').slice(0, 32)
  const saved = readLinks(path, key, names, warn)
  if (saved) return { links: saved, origin: 'loaded' }
  const links = linkArtists(names, tracks)
  const meta = { total: links.total, ids: [...links.byLastfmId.keys()], spellings: [...links.byLastfmId.values()] }
  saveArtifact(path, { ...ARTIST_LINKS_ARTIFACT, key, meta }, {})
  return { links, origin: 'built' }
}

function readLinks(path: string, key: string, names: ReadonlyMap<string, string>, warn?: (m: string) => void): ArtistLinks | null {
  if (!existsSync(path)) return null
  try {
    const { header } = loadArtifact(path, ARTIST_LINKS_ARTIFACT)
    if (header.key !== key) return null
    const { total, ids, spellings } = header.meta as { total: unknown; ids: unknown; spellings: unknown }
    const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((v) => typeof v === 'string')
    if (total !== names.size || !strings(ids) || !strings(spellings) || ids.length !== spellings.length || !ids.every((id) => names.has(id))) {
      throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: the saved artist links do not fit the listening data`)
    }
    const byLastfmId = new Map(ids.map((id, i) => [id, spellings[i]]))
    return { byLastfmId, matched: byLastfmId.size, total, matchRate: total === 0 ? 0 : byLastfmId.size / total }
  } catch (err) {
    if (!isSegueError(err) || (err.code !== 'E_ARTIFACT_CORRUPT' && err.code !== 'E_ARTIFACT_VERSION')) throw err
    warn?.(`${err.message}; linking the artists again`)
    return null
  }
}
