import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../core/errors.js'
import { bundledCatalogue, sharedDataDir } from '../core/paths.js'
import type { Engine } from '../engine.js'
import { readPlaylists } from '../data/playlists/read.js'
import { continuationTable, evaluateContinuation, type ContinuationReport } from '../eval/continuation/evaluate.js'
import { createContinuationModel, DEFAULT_CONTINUATION_MODELS, needsCatalogue } from '../eval/continuation/models.js'
import { splitContinuation, SEED_CATEGORIES } from '../eval/continuation/split.js'
import { writeFileAtomic } from '../core/artifact.js'
import type { ProgressView } from './progress.js'

export interface ContinuationCliOptions {
  playlists?: string
  models?: string[]
  test?: number
  validation?: boolean
  seed: number
  out?: string
}


/** Where the playlists come from when --playlists is not given: the shared MPD sample beside the checkout. */
export function defaultPlaylistsPath(): string {
  return join(sharedDataDir(), 'spotify-mpd-sample')
}

function playlistsPath(given: string | undefined): string {
  if (given) return given
  const sample = defaultPlaylistsPath()
  if (!existsSync(sample)) {
    throw new SegueError('E_BAD_ARGUMENT', `--task continuation needs playlists: give --playlists <path> (an MPD download folder, mpd.slice files, or a folder of playlists.tsv + playlist_tracks.tsv); the default ${sample} is absent`)
  }
  return sample
}

/** Model names from --models, commas or spaces between them. */
export function continuationModels(given: string[] | undefined): string[] {
  const names = given?.flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m !== '') ?? []
  return names.length > 0 ? names : [...DEFAULT_CONTINUATION_MODELS]
}

/**
 * `segue evaluate --task continuation`: reads the playlists, splits them (seeded), fits and scores each model
 * on the test playlists (or, with --validation, on the validation ones carved from training), prints the table
 * and writes the JSON report.
 */
export async function evaluateContinuationCommand(e: Engine, progress: ProgressView, o: ContinuationCliOptions, signal: AbortSignal): Promise<{ report: ContinuationReport; out: string; text: string }> {
  const names = continuationModels(o.models)
  names.forEach((name) => createContinuationModel(name, { engine: e })) // unknown names fail before any reading
  const path = playlistsPath(o.playlists)
  if (names.some(needsCatalogue) && (await e.isEmpty())) {
    process.stderr.write(`importing the bundled catalogue into ${e.home} (content models need it)\n`)
    await e.importCatalogue(bundledCatalogue(), { onProgress: progress.update, signal })
  }
  const { set } = await readPlaylists(path, { onProgress: progress.update, signal })
  const split = splitContinuation(set, { test: o.test, seed: o.seed })
  const models = names.map((name) => createContinuationModel(name, { engine: e }))
  let phase = ''
  const report = await evaluateContinuation(models, split, {
    mode: o.validation ? 'validation' : 'test',
    signal,
    fit: { seed: o.seed, onProgress: (p) => progress.update({ phase: `${phase}: fit`, done: p.iteration, total: p.total }) },
    onModel: (name) => (phase = `continuation ${name}`),
    onProgress: progress.update,
  })
  progress.stop()
  const out = o.out ?? join(e.home, 'reports', 'continuation.json')
  const json = JSON.stringify({ playlists: path, seed: o.seed, shortfall: split.shortfall, ...report }, null, 2) + '\n'
  writeFileAtomic(out, Buffer.from(json, 'utf8'))
  return { report, out, text: `${continuationTable(report)}\n\n${footnote(report, split.shortfall, path)}\nreport written to ${out}` }
}

function footnote(r: ContinuationReport, shortfall: Record<number, number>, path: string): string {
  const short = Object.entries(shortfall).map(([id, k]) => `${SEED_CATEGORIES[Number(id) - 1].label} short by ${k}`)
  return [
    `${r.mode} playlists: ${r.heldOut} held out of ${path}, models fitted on ${r.trainPlaylists}; ${r.listLength} tracks asked per playlist.`,
    'R-precision with the 0.25 artist credit, NDCG and clicks as the RecSys Challenge 2018 defined them; categories 1-10 as its challenge set.',
    ...(short.length ? [`categories without enough eligible playlists: ${short.join('; ')}`] : []),
  ].join('\n')
}
