#!/usr/bin/env node
import { Command, Option } from 'commander'
import { join } from 'node:path'
import { isSegueError } from '../core/errors.js'
import { bundledCatalogue } from '../core/paths.js'
import { Engine, type SimilarResult } from '../engine.js'
import { METRICS, type Metric } from '../index/types.js'
import { formatImport, formatSearch, formatSimilar, formatStats } from './format.js'
import { ProgressView } from './progress.js'
import { registerServeCommand } from './serve-command.js'
import { interruptSignal, wholeNumber, type Globals as GlobalOptions } from './shared.js'

const BUNDLED_CATALOGUE = bundledCatalogue()

async function withEngine<T>(g: GlobalOptions, fn: (e: Engine, progress: ProgressView) => Promise<T>, opts: { lazyTracks?: boolean } = {}): Promise<T> {
  const engine = await Engine.open({ home: g.home, lazyTracks: opts.lazyTracks })
  const progress = new ProgressView(g.progress && !g.json)
  try {
    return await fn(engine, progress)
  } finally {
    progress.stop()
    await engine.close()
  }
}

function print(g: GlobalOptions, data: unknown, text: () => string): void {
  process.stdout.write((g.json ? JSON.stringify(data, jsonReplacer, 2) : text()) + '\n')
}

/** Typed arrays print as plain arrays in --json output. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) ? Array.from(value as Float64Array) : value
}

/** Commands defined in this file; the others (train, recommend, evaluate, tune, help) load their own modules. */
const CORE_COMMANDS = new Set(['import', 'search', 'similar', 'stats', 'demo', 'serve'])

/** The command word in `argv` (after node and the script), skipping global options and --home's value. */
function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--home') i++
    else if (!argv[i].startsWith('-')) return argv[i]
  }
  return undefined
}

/**
 * The CLI. `argv` decides which command modules load: a one-shot `similar` or `search` does not import the
 * training and evaluation code (models, metrics, tuning), which `--help` and those commands do.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('segue')
    .description('Music recommendations: similar tracks from a catalogue, and collaborative filtering from listening data')
    .option('--home <dir>', 'folder for the store and saved indexes (default: $SEGUE_HOME or ./.segue)')
    .option('--json', 'print machine-readable JSON')
    .option('--no-progress', 'hide progress bars')
    // Refused options and arguments are one line, like every other error (`--help` shows the usage).
    .configureOutput({ outputError: (text, write) => write(`segue: ${text.replace(/^error: /, '')}`) })
  const globals = () => program.opts<GlobalOptions>()

  program
    .command('import <file>')
    .description('import a catalogue CSV (Kaggle 114k dataset.csv, 600k tracks.csv + artists.csv, 170k data.csv; .gz accepted)')
    .option('--strict', 'stop at the first malformed row and keep the previous catalogue')
    .option('--replace', 'remove tracks that are not in this file')
    .action(async (file: string, o: { strict?: boolean; replace?: boolean }) => {
      const g = globals()
      await withEngine(g, async (e, progress) => {
        const { report, outcome } = await e.importCatalogue(file, { ...o, onProgress: progress.update, signal: interruptSignal() })
        progress.stop()
        print(g, { report, outcome }, () => formatImport(report, outcome))
      })
    })

  program
    .command('search <text...>')
    .description('find tracks by title or artist, typos forgiven')
    .option('--limit <n>', 'how many results', wholeNumber(1000), 10)
    .action(async (words: string[], o: { limit: number }) => {
      const g = globals()
      await withEngine(g, async (e) => {
        const hits = await e.search(words.join(' '), o.limit)
        print(g, hits.map((h) => ({ ...h.track, score: h.score })), () => formatSearch(hits))
      }, { lazyTracks: true })
    })

  program
    .command('similar <track...>')
    .description('tracks that sound like a track, given by id or by text')
    .option('--k <n>', 'how many tracks', wholeNumber(1000), 10)
    .addOption(new Option('--metric <m>', 'distance').choices(METRICS).default('cosine'))
    .addOption(new Option('--exact', 'exact search over every track').conflicts('ann'))
    .option('--ann', 'approximate search (HNSW index, built and saved on first use)')
    .option('--exclude-artist', "leave out the seed's own artists")
    .option('--no-collapse', 'keep releases of the same recording under different ids')
    .option('--genre <genre...>', 'only tracks listed under these genres')
    .option('--mood <mood>', 'only tracks of this mood: Happy, Energetic, Calm or Sad')
    .option('--model <name>', 'features (the fitted feature vectors) or a trained embedding model: autoencoder, ...', 'features')
    .action(async (words: string[], o: { k: number; metric: Metric; exact?: boolean; ann?: boolean; excludeArtist?: boolean; collapse: boolean; genre?: string[]; mood?: string; model: string }) => {
      const g = globals()
      await withEngine(g, async (e, progress) => {
        const mode = o.exact ? 'exact' : o.ann ? 'ann' : 'auto'
        const work = { onProgress: progress.update, signal: interruptSignal() }
        if (o.model !== 'features') {
          const { similarByModel } = await import('../deep/embeddings.js')
          const opts = { k: o.k, model: o.model, excludeSeedArtist: o.excludeArtist, collapseDuplicates: o.collapse, genres: o.genre }
          const result = await similarByModel(e, words.join(' '), opts, work)
          progress.stop()
          return print(g, result, () => formatSimilar(result))
        }
        await e.prepare(mode, o.metric, work)
        progress.stop()
        const result = await e.similar(words.join(' '), {
          k: o.k, metric: o.metric, mode, excludeSeedArtist: o.excludeArtist, collapseDuplicates: o.collapse, genres: o.genre,
          accept: o.mood === undefined ? undefined : await (await import('./moods-command.js')).moodFilter(e, o.mood),
        }, work)
        print(g, result, () => formatSimilar(result))
      }, { lazyTracks: true })
    })

  program
    .command('stats')
    .description('counts, feature ranges and genres of the catalogue')
    .option('--genres <n>', 'how many genres to list', wholeNumber(10000), 15)
    .action(async (o: { genres: number }) => {
      const g = globals()
      await withEngine(g, async (e) => {
        const s = await e.stats()
        print(g, s, () => formatStats(s, o.genres))
      })
    })

  const command = commandOf(argv)
  if (command === undefined || !CORE_COMMANDS.has(command)) {
    const { registerListeningCommands } = await import('./listening-commands.js')
    registerListeningCommands(program, globals, withEngine, print)
  }
  if (command === undefined || command === 'playlists' || command === 'help') {
    const { registerPlaylistsCommand } = await import('./playlists-command.js')
    registerPlaylistsCommand(program, globals, interruptSignal, print)
  }
  if (command === undefined || command === 'moods' || command === 'help') {
    const { registerMoodsCommand } = await import('./moods-command.js')
    registerMoodsCommand(program, globals, withEngine, print)
  }
  if (command === undefined || command === 'report' || command === 'chart' || command === 'help') {
    const [{ registerReportCommand }, { registerChartCommand }] = await Promise.all([import('./report-command.js'), import('./chart-command.js')])
    registerReportCommand(program, globals, withEngine, print)
    registerChartCommand(program, globals, withEngine, print)
  }
  if (command === undefined || command === 'worker' || command === 'jobs' || command === 'help') {
    const { registerWorkerCommands } = await import('./worker-command.js')
    registerWorkerCommands(program, globals, print)
  }
  if (command === undefined || command === 'models' || command === 'help') (await import('./models-command.js')).registerModelsCommand(program, globals, print)
  registerServeCommand(program, globals)
  if (command === undefined || command === 'export' || command === 'import-factors' || command === 'help') (await import('./spark-commands.js')).registerSparkCommands(program, globals, print)

  program
    .command('demo')
    .description('import the bundled catalogue on first run, then show similar tracks for a few songs')
    .action(async () => {
      const g = globals()
      await withEngine(g, async (e, progress) => {
        const signal = interruptSignal()
        if (await e.isEmpty()) {
          process.stderr.write(`first run: importing the bundled catalogue into ${e.home}\n`)
          const { report, outcome } = await e.importCatalogue(BUNDLED_CATALOGUE, { onProgress: progress.update, signal })
          progress.stop()
          process.stderr.write(formatImport(report, outcome) + '\n\n')
        }
        await e.prepare('auto', 'cosine', { onProgress: progress.update, signal })
        progress.stop()
        const stats = await e.stats()
        const examples = ['Comedy Gen Hoshino', 'Hello Adele', 'Clair de Lune']
        const results: SimilarResult[] = []
        for (const q of examples) results.push(await e.similar(q, { k: 5, excludeSeedArtist: true }))
        print(g, { stats: { tracks: stats.tracks, artists: stats.artists, genres: stats.genres.length }, results }, () =>
          [
            `segue demo: ${stats.tracks} tracks, ${stats.artists} artists, ${stats.genres.length} genres`,
            ...results.map(formatSimilar),
            'try: npm run segue -- similar "your favourite song" --k 10   |   npm run segue -- search <words>   |   npm run segue -- --help',
          ].join('\n\n'),
        )
      })
    })

  return program
}

async function main(): Promise<void> {
  try {
    await (await buildProgram(process.argv)).parseAsync(process.argv)
  } catch (err) {
    const message = isSegueError(err) ? err.message : (err as Error)?.message ?? String(err)
    process.stderr.write(`segue: ${message}\n`)
    if (process.env.SEGUE_DEBUG) console.error(err)
    process.exitCode = isSegueError(err) && err.code === 'E_INTERRUPTED' ? 130 : 1
  }
}

await main()
