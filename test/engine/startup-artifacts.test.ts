import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { bundledCatalogue } from '../../src/core/paths.js'
import type { Track } from '../../src/core/track.js'
import { Engine, type EngineOptions, type LoadStep } from '../../src/engine.js'
import { createExactIndex } from '../../src/index/exact.js'
import { SparseExactIndex, toSparseRows } from '../../src/index/exact-sparse.js'
import { createHnswIndex } from '../../src/index/hnsw.js'
import { RerankedIndex } from '../../src/index/rerank.js'

/** The first rows of the bundled 114k catalogue: real titles, genres and audio, small enough to import fast. */
const ROWS = 3000

/** Every `step`-th row of the bundled catalogue, as a CSV file. */
function realSpread(step: number): { path: string; rows: number } {
  const lines = gunzipSync(readFileSync(bundledCatalogue())).toString('utf8').split('\n')
  const body = lines.slice(1).filter((l, i) => l !== '' && i % step === 0)
  const path = join(mkdtempSync(join(tmpdir(), 'segue-startup-csv-')), 'dataset.csv')
  writeFileSync(path, [lines[0], ...body].join('\n') + '\n')
  return { path, rows: body.length }
}

function realSlice(rows: number): string {
  const lines = gunzipSync(readFileSync(bundledCatalogue())).toString('utf8').split('\n')
  const path = join(mkdtempSync(join(tmpdir(), 'segue-startup-csv-')), 'dataset.csv')
  writeFileSync(path, lines.slice(0, rows + 1).join('\n') + '\n')
  return path
}

/** The engine's private index cache, for tests that look at the index auto mode picked. */
interface Indexes { index(mode: 'exact' | 'ann', metric: 'cosine', work: object): Promise<unknown> }
const origins = (r: Record<string, LoadStep>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.origin]))
const built = (e: Engine) => Object.entries(e.loadReport).filter(([, v]) => v.origin === 'built').map(([k]) => k).sort()
const step = (e: Engine, name: string): LoadStep | undefined => e.loadReport[name]
const ids = (r: { items: { track: { id: string } }[] }) => r.items.map((i) => i.track.id)

/** An engine that answers with the HNSW index (any catalogue size), and its similar tracks to one seed. */
async function openAnn(home: string) {
  const warnings: string[] = []
  const engine = await Engine.open({ home, annThreshold: 0, onWarning: (m) => warnings.push(m) })
  const similar = await engine.similar('Comedy Gen Hoshino', { k: 8, mode: 'ann' })
  return { engine, similar, warnings }
}

async function openAndAsk(home: string, opts: EngineOptions = {}) {
  const warnings: string[] = []
  const engine = await Engine.open({ home, onWarning: (m) => warnings.push(m), ...opts })
  const similar = await engine.similar('Comedy Gen Hoshino', { k: 8, mode: 'exact' })
  const search = await engine.search('comedy hoshin', 5)
  return { engine, similar, search, warnings }
}

describe('start-up artifacts', () => {
  let csv: string
  let home: string
  before(async () => {
    csv = realSlice(ROWS)
    home = mkdtempSync(join(tmpdir(), 'segue-startup-'))
    const e = await Engine.open({ home })
    await e.importCatalogue(csv)
    await e.close()
  })

  it('the first open builds everything; the second rebuilds nothing and answers the same', async () => {
    const first = await openAndAsk(home)
    assert.deepEqual(built(first.engine), ['catalogue', 'pipeline', 'search', 'tracks'])
    const tracks = await first.engine.store.allTracks()
    await first.engine.close()

    const second = await openAndAsk(home)
    assert.deepEqual(built(second.engine), [], `rebuilt on the second open: ${JSON.stringify(origins(second.engine.loadReport))}`)
    assert.deepEqual(origins(second.engine.loadReport), { pipeline: 'loaded', catalogue: 'loaded', search: 'loaded', 'exact-cosine': 'loaded' })
    assert.deepEqual(second.warnings, [])
    assert.deepEqual(ids(second.similar), ids(first.similar))
    assert.deepEqual(second.similar.items.map((i) => i.because), first.similar.items.map((i) => i.because))
    assert.deepEqual(second.search.map((h) => h.track.id), first.search.map((h) => h.track.id))
    // The snapshot gives back the very tracks the store holds, nulls and features included.
    const view = await second.engine.catalogue()
    assert.deepEqual(view.tracks.map((t) => ({ ...t, features: Array.from(t.features) })), tracks.map((t) => ({ ...t, features: Array.from(t.features) })))
    await second.engine.close()
  })

  it("auto mode's exact-or-graph choice is measured once, saved, read back, and measured again when damaged", async () => {
    // annThreshold 0: every catalogue is "large", so auto asks whether the bounded exact search prunes well.
    // Every 4th track of the bundled catalogue: all 114 genres, each a small share of the rows, as in the whole
    // catalogue (the first rows are three genres only, where genre columns count as dense and the bound cannot help).
    const spread = realSpread(4)
    const home = mkdtempSync(join(tmpdir(), 'segue-startup-spread-'))
    const importer = await Engine.open({ home })
    await importer.importCatalogue(spread.path)
    await importer.close()
    const open = async () => {
      const warnings: string[] = []
      const engine = await Engine.open({ home, annThreshold: 0, onWarning: (m) => warnings.push(m) })
      const r = await engine.similar('Comedy Gen Hoshino', { k: 8 })
      // How many rows the exact index's bounded search scored (0: it scanned every row instead).
      const exact = r.mode === 'exact' ? ((await (engine as unknown as Indexes).index('exact', 'cosine', {})) as SparseExactIndex) : null
      await engine.close()
      return { r, warnings, scored: exact?.scored ?? null }
    }
    const path = join(home, 'artifacts', 'exact-cosine-choice.art')
    rmSync(path, { force: true })
    const first = await open()
    assert.ok(existsSync(path), 'the choice is saved')
    const meta = JSON.parse(readFileSync(path).subarray(12, 12 + readFileSync(path).readUInt32LE(8)).toString('utf8')).meta
    console.log(`# exact-or-graph choice on ${spread.rows} tracks spread over every genre: ${JSON.stringify(meta)}`)
    assert.equal(typeof meta.share, 'number')
    assert.equal(meta.cheap, meta.share <= 0.05)
    assert.equal(first.r.mode, meta.cheap ? 'exact' : 'ann')
    const saved = readFileSync(path)
    assert.equal(meta.cheap, true, 'the bound prunes well on catalogue-like rows')
    assert.equal(first.r.mode, 'exact')
    const again = await open()
    assert.equal(again.r.mode, 'exact')
    // Chosen for the bound, the tables are laid out with the choice: even the first query uses them.
    assert.ok(again.scored! > 0, `scored ${again.scored}`)
    assert.deepEqual(readFileSync(path), saved, 'read back, not measured and written again')
    writeFileSync(path, 'garbage')
    const damaged = await open()
    assert.equal(damaged.r.mode, first.r.mode)
    assert.match(damaged.warnings.join('\n'), /exact-cosine-choice\.art.*rebuilding it/)
    assert.ok(readFileSync(path).length > 100, 'measured and saved again')
  })

  it('a changed pipeline config rebuilds the vectors, not the search index', async () => {
    const other = await openAndAsk(home, { pipeline: { weights: { audio: 1, genre: 0.5, artist: 0, era: 0 } } })
    assert.deepEqual(built(other.engine), ['catalogue', 'pipeline', 'tracks'])
    await other.engine.close()
  })

  it('a changed catalogue rebuilds the snapshot and the search index', async () => {
    const e = await Engine.open({ home })
    await e.importCatalogue(realSlice(ROWS + 200))
    await e.close()
    const after = await openAndAsk(home)
    assert.deepEqual(built(after.engine), ['catalogue', 'pipeline', 'search', 'tracks'])
    assert.ok(after.warnings.every((w) => /rebuilding it/.test(w)), after.warnings.join('\n'))
    await after.engine.close()
    const again = await openAndAsk(home)
    assert.deepEqual(built(again.engine), [])
    await again.engine.close()
  })

  it('a damaged snapshot is rebuilt with a warning and the answers stay the same', async () => {
    const before = await openAndAsk(home)
    await before.engine.close()
    const path = join(home, 'artifacts', 'catalogue.art')
    // The file has passed its checksum before, and its stamp says so: damage must be caught all the same.
    assert.ok(existsSync(`${path}.verified`), 'no stamp beside the checked snapshot')
    const bytes = readFileSync(path)
    bytes[bytes.length >> 1] ^= 0xff
    writeFileSync(path, bytes)
    const after = await openAndAsk(home)
    assert.deepEqual(built(after.engine), ['catalogue', 'tracks'])
    assert.equal(after.warnings.length, 1)
    assert.match(after.warnings[0], /catalogue\.art: checksum mismatch.*rebuilding it/)
    assert.deepEqual(ids(after.similar), ids(before.similar))
    await after.engine.close()
  })

  it('lazy tracks: the same answers and the very tracks the eager load gives, each made once, none written', async () => {
    const eager = await openAndAsk(home)
    const lazy = await openAndAsk(home, { lazyTracks: true })
    assert.deepEqual(built(lazy.engine), [])
    assert.deepEqual(ids(lazy.similar), ids(eager.similar))
    assert.deepEqual(lazy.similar.items.map((i) => i.because), eager.similar.items.map((i) => i.because))
    assert.deepEqual(lazy.search.map((h) => h.track.id), eager.search.map((h) => h.track.id))
    const [e, l] = [await eager.engine.catalogue(), await lazy.engine.catalogue()]
    const plain = (t: Track) => ({ ...t, features: Array.from(t.features) })
    for (const row of [0, 1, 17, 1234, e.tracks.length - 1]) assert.deepEqual(plain(l.tracks[row]), plain(e.tracks[row]), `row ${row}`)
    assert.equal(l.tracks[17], l.tracks[17])
    assert.deepEqual(l.tracks.map(plain), e.tracks.map(plain))
    assert.deepEqual([...l.dupKeys], [...e.dupKeys])
    assert.equal(l.tracks.length, e.tracks.length)
    assert.throws(() => { (l.tracks as Track[])[3] = e.tracks[4] }, TypeError)
    await eager.engine.close()
    await lazy.engine.close()
  })

  it("exact search over the sparse vectors ranks as the blocked kernels' exact index does", async () => {
    const e = await Engine.open({ home })
    const view = await e.catalogue()
    const dense = new Float32Array(view.tracks.length * view.dims)
    view.tracks.forEach((_, r) => dense.set(view.vector(r), r * view.dims))
    for (const metric of ['cosine', 'euclidean', 'manhattan'] as const) {
      const sparse = new SparseExactIndex(toSparseRows(dense, view.dims), metric)
      const blocked = createExactIndex(dense, view.dims, metric, { backend: 'ts' })
      for (const row of [0, 7, 1234]) {
        const q = view.vector(row)
        const [a, b] = [sparse.search(q, 20), blocked.search(q, 20)]
        a.forEach((hit, i) => assert.ok(Math.abs(hit.distance - b[i].distance) < 1e-4, `${metric} row ${row} #${i}: ${hit.distance} vs ${b[i].distance}`))
        // Rows may swap only where distances tie within f32 rounding.
        a.forEach((hit, i) => { if (hit.index !== b[i].index) assert.ok(Math.abs(hit.distance - b[i].distance) < 1e-5) })
      }
      await blocked.close()
    }
    await e.close()
  })

  it('HNSW: loaded from its own graph file with no dense matrix made; a damaged or missing graph is rebuilt with a warning', async () => {
    const first = await openAnn(home)
    await first.engine.close()
    const graph = join(home, 'artifacts', 'hnsw-cosine.graph')
    assert.ok(existsSync(graph), 'the graph is saved in a file of its own')

    const second = await openAnn(home)
    assert.equal(second.engine.loadReport['hnsw-cosine'].origin, 'loaded')
    assert.deepEqual(ids(second.similar), ids(first.similar))
    assert.deepEqual(second.warnings, [])
    const view = await second.engine.catalogue()
    assert.equal(step(second.engine, 'dense'), undefined, 'serving a later start makes no dense matrix')
    for (const row of [0, 5, 2999]) {
      const v = view.vector(row)
      assert.equal(view.sparse.squares[row], v.reduce((sum, x) => sum + x * x, 0))
    }
    assert.ok(view.artists.rowsOf('Gen Hoshino').length > 0)
    assert.equal(step(second.engine, 'dense'), undefined, 'the per-artist tables read the sparse rows: still no dense matrix')
    await second.engine.close()

    const bytes = readFileSync(graph)
    bytes[bytes.length >> 1] ^= 0xff
    writeFileSync(graph, bytes)
    const damaged = await openAnn(home)
    assert.equal(damaged.engine.loadReport['hnsw-cosine'].origin, 'built')
    assert.equal(damaged.warnings.length, 1)
    assert.match(damaged.warnings[0], /hnsw-cosine\.art: checksum mismatch in its graph file hnsw-cosine\.graph.*rebuilding it/)
    assert.deepEqual(ids(damaged.similar), ids(first.similar))
    await damaged.engine.close()

    rmSync(graph)
    const missing = await openAnn(home)
    assert.equal(missing.engine.loadReport['hnsw-cosine'].origin, 'built')
    assert.match(missing.warnings.join('\n'), /graph file hnsw-cosine\.graph is missing.*rebuilding it/)
    await missing.engine.close()
    const again = await openAnn(home)
    assert.equal(again.engine.loadReport['hnsw-cosine'].origin, 'loaded')
    assert.deepEqual(again.warnings, [])
    await again.engine.close()
  })

  it('re-ranking HNSW candidates from the sparse rows gives the dense answers (cosine bit for bit)', async () => {
    const e = await Engine.open({ home })
    const view = await e.catalogue()
    const dense = new Float32Array(view.tracks.length * view.dims)
    view.tracks.forEach((_, r) => dense.set(view.vector(r), r * view.dims))
    const sparse = toSparseRows(dense, view.dims)
    for (const metric of ['cosine', 'euclidean'] as const) {
      const graph = await createHnswIndex(dense, view.dims, metric, { quantization: 'i8', threads: 1 })
      const [a, b] = [new RerankedIndex(graph, dense), new RerankedIndex(graph, sparse)]
      for (const row of [0, 7, 1234, 2999]) {
        const [x, y] = [a.search(view.vector(row), 20), b.search(view.vector(row), 20)]
        if (metric === 'cosine') assert.deepEqual(y, x)
        else y.forEach((hit, i) => assert.ok(hit.index === x[i].index && Math.abs(hit.distance - x[i].distance) < 1e-5, `${metric} row ${row} #${i}`))
      }
      await graph.close()
    }
    await e.close()
  })
})
