import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
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
}

/** Decodes and verifies an artifact; throws E_ARTIFACT_CORRUPT or E_ARTIFACT_VERSION. */
export function decodeArtifact(bytes: Uint8Array, expect: { kind: string; version: number }, source = 'artifact', opts: DecodeOptions = {}): Artifact {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const corrupt = (why: string) => new SegueError('E_ARTIFACT_CORRUPT', `${source}: ${why}`)
  if (buf.length < MAGIC.length + 4 + CHECKSUM_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt('not a segue artifact (bad magic or too short)')
  }
  const end = buf.length - CHECKSUM_BYTES
  const digest = createHash('sha256').update(buf.subarray(0, end)).digest()
  if (!digest.equals(buf.subarray(end))) throw corrupt('checksum mismatch (file is damaged or truncated)')
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
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`
  try {
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, bytes)
      fsyncSync(fd)
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

export function loadArtifact(path: string, expect: { kind: string; version: number }, opts: DecodeOptions = {}): Artifact {
  return decodeArtifact(readFileSync(path), expect, path, opts)
}

function dtypeOf(blob: Blob): Dtype {
  for (const [name, Ctor] of Object.entries(DTYPES)) if (blob instanceof Ctor) return name as Dtype
  throw new Error('unsupported blob type')
}

function align8(n: number): number {
  return (n + 7) & ~7
}
