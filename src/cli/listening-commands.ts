import { Command, InvalidArgumentError, Option } from 'commander'
import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'
import { SegueError } from '../core/errors.js'
import type { CatalogueView, Engine } from '../engine.js'
import type { ArtistTaste, ArtistTrack } from '../models/hybrid/artist-tracks.js'
import { artistHistoryRows, hygieneFilter, oneTitlePerList } from '../rerank/hygiene.js'
import { isMetricName, type MetricName } from '../eval/metric-names.js'
import { formatTable, writeReportJson } from '../eval/report.js'
import { continuationModelNames } from '../eval/continuation/models.js'
import { evaluateContinuationCommand } from './evaluate-continuation.js'
import { tune } from '../eval/tune.js'
import { autoTuneCommand, formatAutoTune } from './auto-tune-command.js'
import { makeSplits, compareModels, SPLIT_KINDS, type SplitKind } from '../listening/compare.js'
import { BUNDLED_LISTENING, type ListeningData } from '../listening/source.js'
import { loadListeningSaved } from '../listening/saved.js'
import { denseUser, loadOrTrain, trainModel, saveTrained, type TrainedModel } from '../listening/trained.js'
import { createModel, modelNames } from '../models/registry.js'
import type { FitProgress, Scored } from '../models/types.js'
import { collectParam, parseParams, parseSpace } from './params.js'
import type { ProgressView } from './progress.js'
import { interruptSignal, wholeNumber, type Globals, type Print, type WithEngine } from './shared.js'
import { deepModelNames, isDeepModel } from '../deep/registry.js'
import { deepTrainCommand, type DeepTrainOptions } from './train-deep-command.js'

const positiveInt = wholeNumber(100_000)

const budgetMinutes = (value: string) => {
  const x = Number(value)
  if (!(x > 0 && x <= 24 * 60)) throw new InvalidArgumentError('expected minutes, more than 0 and at most 1440 (fractions allowed)')
  return x
}

const fraction = (value: string) => {
  const x = Number(value)
  if (!(x > 0 && x < 1)) throw new InvalidArgumentError('expected a number between 0 and 1')
  return x
}

function modelPath(e: Engine, name: string): string {
  return join(e.home, 'models', `${name}.art`)
}

function fitProgress(progress: ProgressView, name: string) {
  return (p: FitProgress) => progress.update({ phase: `fit ${name}`, done: p.iteration, total: p.total })
}

/**
 * Listening data through the home's saved copy (listening/saved.ts): the source is parsed once, and again only
 * when its files change. The bundled data shares the copy `serve` saves; another source gets its own, named by
 * its path, so commands on different data do not keep replacing each other's copy.
 */
async function homeListening(e: Engine, source: string | undefined, progress: ProgressView): Promise<ListeningData> {
  const path = source ?? BUNDLED_LISTENING
  const name = resolve(path) === resolve(BUNDLED_LISTENING) ? 'listening' : `listening-${createHash('sha256').update(resolve(path)).digest('hex').slice(0, 12)}`
  const warn = (m: string) => process.stderr.write(`segue: warning: ${m}\n`)
  return (await loadListeningSaved(path, join(e.home, 'artifacts', `${name}.art`), { onProgress: progress.update, warn })).listening
}

/** Shows a raw item id with its name where the data has one. */
function itemLabel(l: ListeningData, item: number): string {
  const raw = l.data.items.rawId(item)
  const name = l.itemNames.get(raw)
  return name ? `${name} [${raw}]` : raw
}

/** Seed items by raw id or, failing that, by name (case and accents ignored). */
function resolveSeeds(l: ListeningData, seeds: string[]): number[] {
  const byName = new Map<string, string>()
  for (const [raw, name] of l.itemNames) byName.set(name.toLowerCase(), raw)
  return seeds.map((s) => {
    const raw = l.data.items.dense(s) !== undefined ? s : byName.get(s.toLowerCase())
    const dense = raw === undefined ? undefined : l.data.items.dense(raw)
    if (dense === undefined) throw new SegueError('E_NOT_FOUND', `no item has the id or name '${s}' in ${l.source}`)
    return dense
  })
}

export function registerListeningCommands(program: Command, globals: () => Globals, withEngine: WithEngine, print: Print): void {
  const listensOption = () => new Option('--listens <path>', 'listening data: HetRec folder, MovieLens, Last.fm 1K log or listens CSV/TSV (default: the bundled HetRec Last.fm 2K)')
  const modelOption = () => new Option('--model <name>', 'model').choices(modelNames()).default('als')

  program
    .command('train')
    .description('fit a collaborative-filtering model on listening data, or a deep model (autoencoder, ...), and save it')
    .addOption(listensOption())
    .addOption(new Option('--model <name>', 'model').choices([...new Set([...modelNames(), ...deepModelNames()])]).default('als'))
    .option('--param <key=value>', 'model parameter (repeatable)', collectParam)
    .option('--epochs <n>', 'deep models: epochs to train', positiveInt)
    .option('--resume', 'deep models: continue from the last checkpoint')
    .option('--seed <n>', 'deep models: seed for weights and shuffling', positiveInt)
    .option('--out <file>', 'deep models: loss curve as .svg or .png')
    .option('--enqueue', 'add a training job for `segue worker` instead of training here (needs --store postgres://...)')
    .option('--store <url>', 'with --enqueue: the PostgreSQL store holding the queue (env SEGUE_STORE)', process.env.SEGUE_STORE)
    .action(async (o: DeepTrainOptions & { enqueue?: boolean; store?: string }) => {
      const g = globals()
      if (o.enqueue) return (await import('./worker-command.js')).enqueueCommand(o, g, print)
      if (isDeepModel(o.model)) return deepTrainCommand(o, g, withEngine, print)
      await withEngine(g, async (e, progress) => {
        const listening = await homeListening(e, o.listens, progress)
        const t = await trainModel(o.model, parseParams(o.param), listening, { onProgress: fitProgress(progress, o.model) })
        progress.stop()
        saveTrained(modelPath(e, o.model), t)
        const d = listening.data
        const summary = { model: o.model, params: t.params, users: d.users.size, items: d.items.size, interactions: d.matrix.indices.length, fit: t.fit, saved: modelPath(e, o.model) }
        print(g, summary, () => `trained ${o.model} on ${d.users.size} users x ${d.items.size} items (${d.matrix.indices.length} interactions) in ${t.fit!.seconds.toFixed(2)} s; saved ${summary.saved}`)
      })
    })

  program
    .command('recommend')
    .description('recommendations for a known listener (--user) or a new one from seed items (--seeds)')
    .addOption(listensOption())
    .addOption(modelOption())
    .option('--param <key=value>', 'model parameter (repeatable)', collectParam)
    .option('--user <id>', 'a listener of the listening data')
    .option('--seeds <items...>', 'seed item ids or names, for a listener the model has not seen')
    .option('--n <n>', 'how many', positiveInt, 10)
    .option('--tracks', 'turn recommended artists into catalogue tracks (artist-level data and an imported catalogue)')
    .action(async (o: { listens?: string; model: string; param?: string[]; user?: string; seeds?: string[]; n: number; tracks?: boolean }) => {
      if (!o.user === !o.seeds) throw new SegueError('E_BAD_ARGUMENT', 'give exactly one of --user or --seeds')
      const g = globals()
      await withEngine(g, async (e, progress) => {
        const listening = await homeListening(e, o.listens, progress)
        const t = await loadOrTrain(modelPath(e, o.model), o.model, parseParams(o.param), listening, {
          onProgress: fitProgress(progress, o.model),
          warn: (m) => process.stderr.write(`segue: warning: ${m}\n`),
        })
        progress.stop()
        const ref = o.user ? { user: denseUser(t, o.user) } : { history: resolveSeeds(listening, o.seeds!) }
        const items = t.model.recommend(ref, { n: o.n })
        if (o.tracks) return await printTracks(g, e, t, ref, items, o.n, print)
        const rows = items.map((s) => ({ item: listening.data.items.rawId(s.item), name: listening.itemNames.get(listening.data.items.rawId(s.item)) ?? null, score: s.score }))
        print(g, { model: o.model, origin: t.origin, items: rows }, () =>
          items.map((s, i) => `${String(i + 1).padStart(2)}. ${itemLabel(listening, s.item)}  score ${s.score.toFixed(4)}`).join('\n'),
        )
      })
    })

  program
    .command('evaluate')
    .description('compare models side by side on a split of the listening data')
    .addOption(listensOption())
    .option('--models <names...>', `models to compare (${modelNames().join(', ')}; continuation: ${continuationModelNames().join(', ')}, commas allowed)`, ['popularity', 'item-knn', 'als'])
    .addOption(new Option('--split <kind>', 'how to split').choices(SPLIT_KINDS).default('random'))
    .option('--fraction <x>', 'random: share held out per user; temporal: time quantile of the cutoff', fraction)
    .option('--folds <n>', 'kfold: how many folds', positiveInt, 5)
    .option('--k <n>', 'list length', positiveInt, 10)
    .option('--seed <n>', 'seed of the split and models', positiveInt, 42)
    .option('--metrics <names...>', 'metrics to report (default: every one the data allows)')
    .option('--auc-depth <n>', 'how deep AUC reads the ranking (default: the whole catalogue)', positiveInt)
    .option('--segments', 'also report cold and active users apart')
    .option('--out <file>', 'where to write the JSON report (default: <home>/reports/evaluate.json)')
    .addOption(new Option('--task <task>', 'listening: held-out listening data; continuation: RecSys Challenge 2018 playlist continuation').choices(['listening', 'continuation']).default('listening'))
    .option('--playlists <path>', 'continuation: MPD folder, slices or the sample TSV folder (default: ../shared/data/spotify-mpd-sample)')
    .option('--test <n>', 'continuation: held-out test playlists, spread over the ten seed categories', positiveInt, 1000)
    .option('--validation', 'continuation: score the validation playlists carved from training (for tuning), not the test ones')
    .action(async (o: { listens?: string; models: string[]; split: SplitKind; fraction?: number; folds: number; k: number; seed: number; metrics?: string[]; aucDepth?: number; segments?: boolean; out?: string; task: string; playlists?: string; test: number; validation?: boolean }, cmd: Command) => {
      const g = globals()
      if (o.task === 'continuation') {
        const models = cmd.getOptionValueSource('models') === 'default' ? undefined : o.models
        return await withEngine(g, async (e, progress) => {
          const { report, text } = await evaluateContinuationCommand(e, progress, { ...o, models }, interruptSignal())
          print(g, report, () => text)
        })
      }
      const metrics = checkMetrics(o.metrics)
      o.models.forEach((m) => createModel(m))
      await withEngine(g, async (e, progress) => {
        const listening = await homeListening(e, o.listens, progress)
        // One bar for each model's fit, then one that moves per batch of test users scored.
        let phase = ''
        const results = await compareModels(listening.data, o.models.map((name) => ({ name })), { kind: o.split, fraction: o.fraction, folds: o.folds, seed: o.seed }, {
          k: o.k, metrics, aucDepth: o.aucDepth, segments: o.segments ? 'cold-active' : undefined,
          fit: { seed: o.seed, onProgress: (p) => progress.update({ phase: `${phase}: fit`, done: p.iteration, total: p.total }) },
          onModel: (name, fold, folds) => (phase = folds > 1 ? `evaluate ${name} fold ${fold}/${folds}` : `evaluate ${name}`),
          onProgress: (p) => progress.update({ phase, done: p.done, total: p.total }),
        })
        progress.stop()
        const out = o.out ?? join(e.home, 'reports', 'evaluate.json')
        writeReportJson(out, results)
        print(g, results, () => `${formatTable(results)}\n\n${o.split} split, k=${o.k}; report written to ${out}`)
      })
    })

  program
    .command('tune')
    .description('hyper-parameter search on a validation split carved from the training part')
    .addOption(listensOption())
    .addOption(modelOption())
    .option('--space <key=v1,v2,...>', 'candidate values per parameter (repeatable)', collectParam)
    .addOption(new Option('--search <kind>', 'grid or random search').choices(['grid', 'random']).default('grid'))
    .option('--trials <n>', 'random search: how many combinations', positiveInt, 10)
    .option('--metric <name>', 'the metric that picks the winner', 'ndcg')
    .option('--k <n>', 'list length', positiveInt, 10)
    .option('--seed <n>', 'seed', positiveInt, 42)
    .option('--auto', 'pick the model too, within --budget, and save the winner for serve')
    .option('--budget <minutes>', 'with --auto: time budget in minutes', budgetMinutes, 10)
    .action(async (o: { listens?: string; model: string; space?: string[]; search: 'grid' | 'random'; trials: number; metric: string; k: number; seed: number; auto?: boolean; budget: number }) => {
      const g = globals()
      const [metric] = checkMetrics([o.metric])!
      if (o.auto) {
        if (o.space) throw new SegueError('E_BAD_ARGUMENT', '--auto searches its own spaces; leave out --space')
        return await withEngine(g, async (e, progress) => {
          const out = await autoTuneCommand(e, progress, { listens: o.listens, budgetMinutes: o.budget, metric, k: o.k, seed: o.seed })
          print(g, { ...out.result, saved: out.saved, winnerFile: out.winnerFile }, () => formatAutoTune(out))
        })
      }
      const space = parseSpace(o.space)
      if (Object.keys(space).length === 0) throw new SegueError('E_BAD_ARGUMENT', 'give at least one --space key=v1,v2,...')
      await withEngine(g, async (e, progress) => {
        const listening = await homeListening(e, o.listens, progress)
        // Tuning sees only the training part of a held-out split: the test part stays unseen for a final evaluate.
        const [{ train }] = makeSplits(listening.data, { kind: 'random', seed: o.seed })
        const result = await tune((p) => createModel(o.model, p), train, space, {
          metric, k: o.k, strategy: o.search, trials: o.trials, seed: o.seed, evaluate: { fit: { seed: o.seed } },
          onTrial: (_t, done, total) => progress.update({ phase: `tune ${o.model}`, done, total }),
        })
        progress.stop()
        const rows = result.trials.map((t) => ({ params: t.params, [metric]: t.score }))
        print(g, { metric, best: result.best.params, bestScore: result.best.score, trials: rows }, () =>
          [
            ...result.trials.map((t) => `${JSON.stringify(t.params)}  ${metric}@${o.k} ${t.score.toFixed(4)}`),
            `best: ${JSON.stringify(result.best.params)} (${metric}@${o.k} ${result.best.score.toFixed(4)} on validation)`,
          ].join('\n'),
        )
      })
    })
}

function checkMetrics(names: string[] | undefined): MetricName[] | undefined {
  if (!names) return undefined
  for (const n of names) if (!isMetricName(n)) throw new SegueError('E_BAD_ARGUMENT', `unknown metric '${n}'`)
  return names as MetricName[]
}

/** Artist recommendations become catalogue tracks: by the recommended artists, closest to what the listener plays most. */
async function printTracks(g: Globals, e: Engine, t: TrainedModel, ref: { user: number } | { history: number[] }, items: Scored[], n: number, print: Print): Promise<void> {
  const l = t.listening
  if (l.itemKind !== 'artist') throw new SegueError('E_BAD_ARGUMENT', `--tracks needs artist-level listening data; ${l.source} holds ${l.format} items`)
  const raw = (item: number) => l.itemNames.get(l.data.items.rawId(item)) ?? l.data.items.rawId(item)
  const played = 'user' in ref ? playedArtists(l, ref.user) : ref.history.map((item) => ({ item, score: 1 }))
  const tracks = cleanArtistTracks(
    await e.catalogue(),
    items.map((s, i) => ({ artist: raw(s.item), weight: items.length - i })),
    played.map((p) => ({ artist: raw(p.item), weight: p.score })),
    n,
  )
  print(g, tracks.map((x) => ({ ...x.track, score: x.score, becauseArtist: x.artist })), () =>
    tracks.length === 0 ? 'none of the recommended artists is in the catalogue' :
    tracks.map((x, i) => `${String(i + 1).padStart(2)}. ${x.track.name} — ${x.track.artists.join(', ')}  score ${x.score.toFixed(3)}  (via ${x.artist})`).join('\n'),
  )
}

/**
 * Recommended artists as catalogue tracks with the API lists' hygiene (rerank/hygiene.ts): no kids, karaoke or
 * cover tracks unless the played artists' own tracks are such, and one track per title by different artists.
 */
export function cleanArtistTracks(view: CatalogueView, candidates: readonly ArtistTaste[], played: readonly ArtistTaste[], n: number): ArtistTrack[] {
  const accept = hygieneFilter(view.tracks, artistHistoryRows(view.tracks, played.map((p) => p.artist)))
  const picks = view.artists.recommend(candidates, { n: n * 2, profile: played, accept })
  return oneTitlePerList(view.tracks, picks.map((x) => ({ ...x, row: view.rowOf.get(x.track.id)! })))
    .slice(0, n)
    .map(({ row: _row, ...x }) => x)
}

function playedArtists(l: ListeningData, user: number): Scored[] {
  const m = l.data.matrix
  const out: Scored[] = []
  for (let p = m.indptr[user]; p < m.indptr[user + 1]; p++) out.push({ item: m.indices[p], score: m.data[p] })
  return out.sort((a, b) => b.score - a.score).slice(0, 20)
}
