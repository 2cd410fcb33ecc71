// Similar-track embedding spaces on the 114k catalogue (89,741 distinct tracks), one row each:
//   plain cosine on the default pipeline's vectors, cosine on the audio features only, and every embedding
//   model registered in src/deep/embeddings.ts that has embeddings for this catalogue (the autoencoder is trained
//   with its defaults when it has none; other models are skipped with the command that trains them).
// Metrics (src/deep/embedding-eval.ts): genre precision@10, MRR, artist diversity, ILS in the default pipeline's
// space, and playlist co-occurrence@10 over seeds found in ../shared/data/spotify-mpd-sample (skipped, and said
// so, when that folder is absent). Exact neighbours, one per recording; 500 seeds of each kind, seed 7.
// Env: BENCH_HOME (a segue home holding the imported catalogue; default: a fresh temp home, which imports it),
//      BENCH_SEEDS (default 500).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundledCatalogue, sharedDataDir } from '../src/core/paths.js'
import { embeddingModelNames, embeddingModule } from '../src/deep/embeddings.js'
import { audioOnlySpace, evaluateEmbeddingSpace, loadEvalCatalogue, type EmbeddingSpace } from '../src/deep/embedding-eval.js'
import { Engine } from '../src/engine.js'
import { report, type Row } from './lib/report.js'

const SEEDS = Number(process.env.BENCH_SEEDS ?? 500)
const PLAYLISTS = join(sharedDataDir(), 'spotify-mpd-sample')

async function openEngine(): Promise<Engine> {
  const engine = await Engine.open({ home: process.env.BENCH_HOME ?? mkdtempSync(join(tmpdir(), 'segue-bench-emb-')) })
  if (await engine.isEmpty()) await engine.importCatalogue(bundledCatalogue())
  return engine
}

/** The embedding space of a registered model, trained first when it is the autoencoder and none is saved. */
async function modelSpace(engine: Engine, name: string, skipped: Record<string, string>): Promise<EmbeddingSpace | null> {
  const mod = (await embeddingModule(name))!
  let emb = await mod.load(engine)
  if (!emb && name === 'autoencoder') {
    emb = (await mod.train({ engine, resume: false, seed: 42, checkpointDir: join(engine.home, 'deep', name, 'checkpoints'), progress: true, params: {} })).embeddings
  }
  if (!emb) {
    skipped[name] = `no embeddings for this catalogue: run \`segue train --model ${name}\` on this home (BENCH_HOME)`
    return null
  }
  return { name, dim: emb.dim, vectors: emb.vectors }
}

async function main(): Promise<void> {
  const engine = await openEngine()
  try {
    const cat = await loadEvalCatalogue(engine, PLAYLISTS)
    const skipped: Record<string, string> = {}
    if (!cat.playlistsByKey) skipped.playlistCooccurrence = `${PLAYLISTS} not found`
    const spaces: EmbeddingSpace[] = [cat.common, audioOnlySpace(cat.tracks)]
    for (const name of embeddingModelNames()) {
      const s = await modelSpace(engine, name, skipped)
      if (s) spaces.push(s)
    }
    const rows: Row[] = spaces.map((s) => {
      const r = evaluateEmbeddingSpace(cat, s, { seeds: SEEDS, playlistSeeds: SEEDS })
      return { ...r, genrePrecision: round(r.genrePrecision), mrr: round(r.mrr), artistDiversity: round(r.artistDiversity), ils: round(r.ils), playlistCooccurrence: r.playlistCooccurrence === null ? null : round(r.playlistCooccurrence), seconds: round(r.seconds, 1) }
    })
    report('embeddings', rows, { tracks: cat.tracks.length, playlists: cat.playlists, linkedPlaylistTracks: cat.linkedTracks, k: 10, seeds: SEEDS, skipped })
  } finally {
    await engine.close()
  }
}

function round(x: number, digits = 3): number {
  return Number(x.toFixed(digits))
}

await main()
