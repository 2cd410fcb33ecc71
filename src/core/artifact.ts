import { createHash } from 'node:crypto'
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync, type BigIntStats } from 'node:fs'
import { dirname } from 'node:path'
import { SegueError } from './errors.js'

/**
 * Saved artifacts (fitted pipelines, indexes, models) share one binary layout:
 *
 *   "SEGUEART" | u32 header length | header JSON (utf-8) | blobs, each 8-byte aligned | sha256 of all before
 *
 * The header names the artifact kind, its format version, a key (what it was built from, e.g. the catalogue
 * checksum and the parameters) and where each typed-array blob lies. The trailing checksum covers everything,
 * so a truncated or altered file is detected before any of it is used.
 *
 * Checking that sum costs ~50 ms per 30 MB, on every start, for files that have not changed since the last
 * check. So once a file has passed it, a small stamp beside it (`<file>.verified`) records the file's identity
 * and change times (device, inode, size, mtime and ctime in nanoseconds) with the sum; a later load whose file
 * still has that identity skips the hashing. Any write to the file through the file system (in place, a
 * truncation, a replacement, even one that restores the mtime) changes the ctime or the inode, so the sum is
 * checked again; what a stamp does not catch is damage that bypasses the file system (failing media).
 */
const MAGIC = Buffer.from('SEGUEART', 'latin1')
const CHECKSUM_BYTES = 32

export type Blob = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Uint16Array | BigUint64Array

const DTYPES = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
  u16: Uint16Array,
  u64: BigUint64Array,
} as const
type Dtype = keyof typeof DTYPES

export interface ArtifactHeader {
  kind: string
  version: number
  /** What the artifact was built from; a loader rebuilds when the key it expects differs. */
  key: string
  createdAt: string
  meta: Record<string, unknown>
}

interface BlobEntry {
  name: string
  dtype: Dtype
  offset: number
  length: number
}

export interface Artifact {
  header: ArtifactHeader
  blobs: Record<string, Blob>
}

export function encodeArtifact(header: Omit<ArtifactHeader, 'createdAt'>, blobs: Record<string, Blob>): Buffer {
  const entries: BlobEntry[] = []
  let offset = 0
  for (const [name, blob] of Object.entries(blobs)) {
    entries.push({ name, dtype: dtypeOf(blob), offset, length: blob.length })
    offset = align8(offset + blob.byteLength)
  }
  const headerJson = Buffer.from(JSON.stringify({ ...header, createdAt: new Date().toISOString(), blobs: entries }), 'utf8')
  const bodyStart = align8(MAGIC.length + 4 + headerJson.length)
  const out = Buffer.alloc(bodyStart + offset + CHECKSUM_BYTES)
  MAGIC.copy(out, 0)
  out.writeUInt32LE(headerJson.length, MAGIC.length)
  headerJson.copy(out, MAGIC.length + 4)
  Object.values(blobs).forEach((blob, i) => {
    Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).copy(out, bodyStart + entries[i].offset)
  })
  const end = out.length - CHECKSUM_BYTES
  createHash('sha256').update(out.subarray(0, end)).digest().copy(out, end)
  return out
}

export interface DecodeOptions {
  /**
   * true (default): each blob gets its own buffer, so it does not pin the file's bytes. false: blobs are views
   * into `bytes` where aligned (copied where not), which saves allocating and copying tens of megabytes when
   * every blob is used anyway and the file's bytes may stay in memory as long as the blobs do.
   */
  copy?: boolean
  /**
   * The file's bytes were checked against its trailing checksum before and have not changed since (a stamp
   * says so, see verifiedBefore): skip hashing them again. Default false.
   */
  checked?: boolean
}

/** Decodes and verifies an artifact; throws E_ARTIFACT_CORRUPT or E_ARTIFACT_VERSION. */
export function decodeArtifact(bytes: Uint8Array, expect: { kind: string; version: number }, source = 'artifact', opts: DecodeOptions = {}): Artifact {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const corrupt = (why: string) => new SegueError('E_ARTIFACT_CORRUPT', `${source}: ${why}`)
  if (buf.length < MAGIC.length + 4 + CHECKSUM_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt('not a segue artifact (bad magic or too short)')
  }
  const end = buf.length - CHECKSUM_BYTES
  if (!opts.checked) {
    const digest = createHash('sha256').update(buf.subarray(0, end)).digest()
    if (!digest.equals(buf.subarray(end))) throw corrupt('checksum mismatch (file is damaged or truncated)')
  }
  const headerLength = buf.readUInt32LE(MAGIC.length)
  let parsed: ArtifactHeader & { blobs: BlobEntry[] }
  try {
    parsed = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength))
  } catch (cause) {
    throw new SegueError('E_ARTIFACT_CORRUPT', `${source}: header is not valid JSON`, { cause })
  }
  if (parsed.kind !== expect.kind) throw corrupt(`holds a '${parsed.kind}', expected '${expect.kind}'`)
  if (parsed.version !== expect.version) {
    throw new SegueError(
      'E_ARTIFACT_VERSION',
      `${source}: format version ${parsed.version} of '${parsed.kind}', this segue reads version ${expect.version}`,
    )
  }
  const bodyStart = align8(MAGIC.length + 4 + headerLength)
  const blobs: Record<string, Blob> = {}
  for (const e of parsed.blobs) {
    const Ctor = DTYPES[e.dtype]
    const byteLength = e.length * Ctor.BYTES_PER_ELEMENT
    const start = buf.byteOffset + bodyStart + e.offset
    if (start + byteLength > buf.byteOffset + end) throw corrupt(`blob '${e.name}' runs past the end of the file`)
    if (opts.copy === false && start % Ctor.BYTES_PER_ELEMENT === 0) {
      blobs[e.name] = new Ctor(buf.buffer as ArrayBuffer, start, e.length) as Blob
      continue
    }
    // Copy into a fresh, aligned buffer so the blob does not pin the file bytes and alignment is guaranteed.
    const copy = new Uint8Array(byteLength)
    copy.set(buf.subarray(bodyStart + e.offset, bodyStart + e.offset + byteLength))
    blobs[e.name] = new Ctor(copy.buffer) as Blob
  }
  const { blobs: _entries, ...header } = parsed
  return { header, blobs }
}

/**
 * Writes bytes to `path` atomically: to a temporary file beside it, flushed, then renamed over the
 * target, so a reader never sees half a file and a crash leaves the previous version in place.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, opts: { sync?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`
  try {
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, bytes)
      if (opts.sync !== false) fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
}

export function saveArtifact(path: string, header: Omit<ArtifactHeader, 'createdAt'>, blobs: Record<string, Blob>): void {
  writeFileAtomic(path, encodeArtifact(header, blobs))
}

/** How the last loadArtifact call knew its file was whole (for tests): by hashing it, or by its stamp. */
export let lastCheck: 'checksum' | 'stamp' | null = null

/**
 * Reads and decodes the artifact at `path`. Its checksum is verified unless a stamp shows this very file
 * passed that check before (see the top of this file); after a check passes, the stamp is written.
 */
export function loadArtifact(path: string, expect: { kind: string; version: number }, opts: LoadOptions = {}): Artifact {
  const { bytes, stats } = readWhole(path, opts.shared ?? false)
  const sum = bytes.length >= CHECKSUM_BYTES ? bytes.subarray(bytes.length - CHECKSUM_BYTES).toString('hex') : ''
  const checked = sum !== '' && verifiedBefore(stats, path, sum)
  const art = decodeArtifact(bytes, expect, path, { ...opts, checked })
  lastCheck = checked ? 'stamp' : 'checksum'
  if (!checked) noteVerified(path, sum, stats)
  return art
}

export interface LoadOptions extends Omit<DecodeOptions, 'checked'> {
  /**
   * Read the file into a SharedArrayBuffer; with copy: false every aligned blob is then a view of shared
   * memory, which worker threads can read without a copy being made for them.
   */
  shared?: boolean
}

/** A file's bytes and its identity as it was while they were read (E_ARTIFACT_CORRUPT if it changed meanwhile). */
function readWhole(path: string, shared: boolean): { bytes: Buffer; stats: BigIntStats } {
  const fd = openSync(path, 'r')
  try {
    const stats = fstatSync(fd, { bigint: true })
    const size = Number(stats.size)
    const bytes = shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafe(size)
    let at = 0
    for (let n = 1; at < bytes.length && n > 0; at += n) n = readSync(fd, bytes, at, bytes.length - at, at)
    const after = fstatSync(fd, { bigint: true })
    if (at !== bytes.length || stamp(after, '') !== stamp(stats, '')) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: the file changed while it was read`)
    return { bytes, stats }
  } finally {
    closeSync(fd)
  }
}

/** What a stamp records: the file's identity and change times, and the checksum it was found to hold. */
function stamp(s: BigIntStats, sum: string): string {
  return JSON.stringify({ dev: String(s.dev), ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs), ctimeNs: String(s.ctimeNs), sum })
}

function stampPath(path: string): string {
  return `${path}.verified`
}

/**
 * True when the file at `path` (whose stats are `stats`) was found to hold checksum `sum` and has not been
 * written since: its stamp names this file with these change times and this sum. For files checked in
 * another way (a graph file's sha256 kept elsewhere), with `stats` from statSync(path, { bigint: true }).
 */
export function verifiedBefore(stats: BigIntStats, path: string, sum: string): boolean {
  let text: string
  try {
    text = readFileSync(stampPath(path), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
  return text === stamp(stats, sum)
}

/**
 * Records that the file at `path`, as `stats` describe it, holds checksum `sum` (call only after checking it).
 * A home the process may not write to keeps working, with the checksum verified on every load.
 */
export function noteVerified(path: string, sum: string, stats: BigIntStats = statSync(path, { bigint: true })): void {
  try {
    writeFileAtomic(stampPath(path), Buffer.from(stamp(stats, sum), 'utf8'), { sync: false })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw err
  }
}

function dtypeOf(blob: Blob): Dtype {
  for (const [name, Ctor] of Object.entries(DTYPES)) if (blob instanceof Ctor) return name as Dtype
  throw new Error('unsupported blob type')
}

function align8(n: number): number {
  return (n + 7) & ~7
}
