import type { Command } from 'commander'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bundledCatalogue, sharedDataDir } from '../core/paths.js'
import type { Engine } from '../engine.js'
import { moodChartData, type MoodChartData } from '../moods/chart-data.js'
import { moodChartSpecs } from '../moods/charts.js'
import { moodJourney } from '../moods/journey.js'
import type { Scores } from '../moods/cv.js'
import { readLabels } from '../moods/labels.js'
import { DEFAULT_MOOD_CONFIG, clusterAgreement, clusterCatalogue, crossValidateLabels } from '../moods/model.js'
import { featureMatrix, fitStandardiser } from '../moods/features.js'
import { MOOD_INFO, MOODS, parseMood, parseMoodMapping, type Mood } from '../moods/moods.js'
import { ensureMoods, moodCounts, trainMoods, tracksForMood, type MoodCatalogue, type TrainReport } from '../moods/service.js'
import { crossValidateSurvey, readSurvey, type ListenerMoodReport } from '../moods/survey.js'
import type { ProgressView } from './progress.js'
import { CatalogueMoods } from '../moods/catalogue-moods.js'
import { listenerMood, moodItems } from '../moods/product.js'
import { moodTopN } from '../moods/personal.js'
import { ListenerHistories } from '../service/profile.js'
import { SegueError } from '../core/errors.js'
import { wholeNumber, type Globals, type Print, type WithEngine } from './shared.js'

const count = wholeNumber(10_000)

/** The shared questionnaire, used by `moods report` when --survey is not given and it is present. */
const defaultSurvey = () => join(sharedDataDir(), 'spotify-user-survey', 'Spotify_data.converted.csv')

/** `segue moods list|train|report`: song moods over the catalogue in the home's store. */
export function registerMoodsCommand(program: Command, globals: () => Globals, withEngine: WithEngine, print: Print): void {
  const moods = program.command('moods').description('song moods (Happy, Energetic, Calm, Sad): k-means moods, a classifier trained on labelled tracks, listener moods')
  moods
    .command('list [mood]')
    .description('the four moods and how many tracks each has; with a mood, its most likely tracks (--listener: closest to their taste)')
    .option('--n <n>', 'how many tracks', count, 10)
    .option('--listener <id>', "a listener in the store: the mood's tracks closest to their taste that they have not heard")
    .action(async (moodName: string | undefined, o: { n: number; listener?: string }) => {
      const g = globals()
      const mood = moodName === undefined ? undefined : parseMood(moodName)
      if (o.listener !== undefined && mood === undefined) throw new SegueError('E_BAD_ARGUMENT', '--listener needs a mood: segue moods list <mood> --listener <id>')
      await withEngine(g, async (e) => {
        if (mood !== undefined && o.listener !== undefined) return print(g, ...await personalList(e, mood, o.listener, o.n))
        const cat = await moodCatalogue(e)
        const loaded = ensureMoods(cat, moodsPath(e), { warn })
        const started = performance.now()
        const counts = moodCounts(loaded.saved)
        const listMs = performance.now() - started
        const out = {
          source: loaded.saved.model.source, origin: loaded.origin, loadMs: round(loaded.ms), moodsMs: round(listMs),
          moods: MOODS.map((m) => ({ ...MOOD_INFO[m], tracks: counts[m] })),
          tracks: mood === undefined ? undefined : tracksForMood(loaded.saved, cat, mood, o.n).map((t) => ({ id: t.track.id, name: t.track.name, artists: t.track.artists, probability: t.probability })),
        }
        print(g, out, () => formatList(out))
      })
    })
  moods
    .command('listener <id>')
    .description("a listener's mood: the one they picked, else their recent plays and likes (with the hour), else their onboarding answers")
    .option('--hour <h>', 'their local hour, 0..23 (default: now)', wholeNumber(23))
    .action(async (id: string, o: { hour?: number }) => {
      const g = globals()
      await withEngine(g, async (e) => {
        if (!(await e.store.getListener(id))) throw new SegueError('E_NOT_FOUND', `no listener has the id '${id}'`)
        const { moods: m } = await engineMoods(e)
        const out = await listenerMood(e.store, m, id, o.hour ?? new Date().getHours())
        print(g, out, () => `${out.mood} (from ${out.source})\n${MOODS.map((x) => `  ${x.padEnd(10)} ${(out.mix[x] * 100).toFixed(1).padStart(5)}%`).join('\n')}`)
      })
    })
  moods
    .command('journey <from> <to>')
    .description('a playlist moving from one mood to another in even steps of valence and energy')
    .option('--n <n>', 'how many tracks, ends included', count, 10)
    .option('--seed <id...>', 'track ids whose sound the journey keeps to')
    .action(async (from: string, to: string, o: { n: number; seed?: string[] }) => {
      const g = globals()
      const [a, b] = [parseMood(from), parseMood(to)]
      await withEngine(g, async (e) => {
        const cat = await moodCatalogue(e)
        const saved = ensureMoods(cat, moodsPath(e), { warn }).saved
        const steps = moodJourney(saved, cat, { from: a, to: b, n: o.n, seeds: o.seed })
        const out = steps.map((s) => ({ id: s.track.id, name: s.track.name, artists: s.track.artists, mood: s.mood, valence: s.valence, energy: s.energy, target: s.target }))
        print(g, out, () => out.map((s, i) => `${String(i + 1).padStart(3)}. ${s.mood.padEnd(10)} valence ${s.valence.toFixed(2)} energy ${s.energy.toFixed(2)}  ${s.name} - ${s.artists.join(', ')}`).join('\n'))
      })
    })
  moods
    .command('train')
    .description('train the song-mood classifier on labelled tracks (CSV: track_id, or name + artist, a mood column; audio features optional)')
    .requiredOption('--labels <file>', 'labelled tracks CSV')
    .option('--map <pairs>', 'label names to moods, e.g. Angry=Energetic,Relaxed=Calm (quadrant names are known already)')
    .option('--mood-column <name>', 'the column holding the mood', 'mood')
    .action(async (o: { labels: string; map?: string; moodColumn: string }) => {
      const g = globals()
      const mapping = o.map === undefined ? undefined : parseMoodMapping(o.map)
      await withEngine(g, async (e) => {
        const cat = await moodCatalogue(e)
        const report = await trainMoods(cat, moodsPath(e), o.labels, { mapping, moodColumn: o.moodColumn, warn })
        print(g, report, () => formatTrain(report))
      })
    })
  moods
    .command('report')
    .description('k (elbow and silhouette), agreement with labels, CV of the song and listener models; --out writes the charts\' data')
    .option('--labels <file>', 'labelled tracks to measure against (default: the shared track-moods/moods.csv when present)')
    .option('--map <pairs>', 'label names to moods, as for train')
    .option('--mood-column <name>', 'the labels\' mood column', 'mood')
    .option('--survey <file>', 'the listener questionnaire (default: the shared spotify-user-survey when present)')
    .option('--out <dir>', 'folder for the mood pictures (SVG and PNG) and moods-charts.json, the data behind them')
    .action(async (o: ReportOptions) => {
      const g = globals()
      await withEngine(g, async (e) => {
        const out = await moodsReport(e, o)
        print(g, out.summary, () => formatReport(out.summary))
      })
    })
}

const warn = (m: string) => process.stderr.write(`segue: warning: ${m}\n`)
const round = (ms: number) => Math.round(ms * 10) / 10

/** The catalogue's moods for a command: the saved classifier (built and saved on first use). */
export async function engineMoods(e: Engine): Promise<{ cat: MoodCatalogue; moods: CatalogueMoods }> {
  const cat = await moodCatalogue(e)
  return { cat, moods: CatalogueMoods.fromSaved(cat, ensureMoods(cat, moodsPath(e), { warn }).saved) }
}

/** A row predicate for `--mood <name>` on other commands (similar): tracks whose top mood it is. */
export async function moodFilter(e: Engine, name: string): Promise<(row: number) => boolean> {
  const mood = parseMood(name)
  return (await engineMoods(e)).moods.is(mood)
}

/** `moods list <mood> --listener <id>`: the personal list, as GET /api/moods/:mood/tracks?listener= gives it. */
async function personalList(e: Engine, mood: Mood, id: string, n: number): Promise<[unknown, () => string]> {
  if (!(await e.store.getListener(id))) throw new SegueError('E_NOT_FOUND', `no listener has the id '${id}'`)
  const { moods: m } = await engineMoods(e)
  const view = await e.catalogue()
  const profile = (await new ListenerHistories(view, e.store).get(id)).profile()
  const items = moodItems(view, mood, moodTopN(view, m, mood, { n, profile })).map((i) => ({ id: i.track.id, name: i.track.name, artists: i.track.artists, score: i.score, reason: i.reasons[0]?.text }))
  return [{ mood, listener: id, items }, () => items.map((i, k) => `${String(k + 1).padStart(3)}. ${i.score.toFixed(3)}  ${i.name} - ${i.artists.join(', ')}  (${i.reason})`).join('\n')]
}

function moodsPath(e: Engine): string {
  return join(e.home, 'artifacts', 'moods.art')
}

/** The store's catalogue (the bundled one imported on first use, as `demo` does). */
async function moodCatalogue(e: Engine): Promise<MoodCatalogue> {
  if (await e.isEmpty()) {
    process.stderr.write(`first run: importing the bundled catalogue into ${e.home}\n`)
    await e.importCatalogue(bundledCatalogue(), {})
  }
  const info = await e.store.catalogueInfo()
  const tracks = await e.store.allTracks()
  return { tracks, rowOf: new Map(tracks.map((t, i) => [t.id, i])), version: info!.version }
}

interface ReportSummary {
  sweep: ReturnType<typeof clusterCatalogue>['sweep']
  clusterNames: Mood[]
  clusterCentres: Record<string, number>[]
  labels?: { file: string; rows: number; agreement: Scores; cv: ReturnType<typeof crossValidateLabels> }
  listener?: ListenerMoodReport
  chartsFile?: string
  /** The SVG and PNG files written by --out. */
  pictures?: string[]
}

interface ReportOptions {
  labels?: string
  map?: string
  moodColumn?: string
  survey?: string
  out?: string
}

async function moodsReport(e: Engine, o: ReportOptions): Promise<{ summary: ReportSummary }> {
  const mapping = o.map === undefined ? undefined : parseMoodMapping(o.map)
  const cat = await moodCatalogue(e)
  const config = DEFAULT_MOOD_CONFIG
  const all = cat.tracks.map((t) => t.features)
  const u = clusterCatalogue(all, config)
  const summary: ReportSummary = {
    sweep: u.sweep,
    clusterNames: u.clusters.names,
    clusterCentres: u.clusters.names.map((_, c) => Object.fromEntries(config.features.map((f, j) => [f, u.clusters.centres[c * config.features.length + j]]))),
  }
  const labelsFile = o.labels ?? sharedFile('track-moods/moods.csv')
  if (labelsFile !== undefined) {
    const { rows } = await readLabels(labelsFile, cat, { features: config.labelFeatures, mapping, moodColumn: o.moodColumn })
    const data = { features: rows.map((r) => r.features), moods: Int32Array.from(rows, (r) => MOODS.indexOf(r.mood)) }
    const cv = crossValidateLabels(data, fitStandardiser(featureMatrix(all, config.labelFeatures)), config)
    summary.labels = { file: labelsFile, rows: rows.length, agreement: clusterAgreement(u, data, config.features), cv }
  }
  const surveyFile = o.survey ?? (existsSync(defaultSurvey()) ? defaultSurvey() : undefined)
  if (surveyFile !== undefined) summary.listener = crossValidateSurvey(await readSurvey(surveyFile))
  if (o.out !== undefined) {
    const saved = ensureMoods(cat, moodsPath(e), { warn }).saved
    const songScores = summary.labels ? [
      { title: 'song model, 5-fold CV on labels', scores: summary.labels.cv.model },
      { title: 'k-means moods vs labels', scores: summary.labels.agreement },
    ] : []
    const charts = moodChartData({ ids: cat.tracks.map((t) => t.id), features: all, saved, sweep: u.sweep, songScores, listener: summary.listener })
    mkdirSync(o.out, { recursive: true })
    summary.chartsFile = join(o.out, 'moods-charts.json')
    writeFileSync(summary.chartsFile, JSON.stringify(charts))
    summary.pictures = await writeMoodPictures(o.out, charts)
  }
  return { summary }
}

/** Every mood picture as SVG and PNG through the chart layer (light theme, the README's). */
async function writeMoodPictures(dir: string, data: MoodChartData): Promise<string[]> {
  const { writeChart } = await import('../viz/render.js')
  const files: string[] = []
  for (const [name, spec] of Object.entries(moodChartSpecs(data))) {
    for (const ext of ['svg', 'png']) {
      const file = join(dir, `${name}.${ext}`)
      await writeChart(file, spec)
      files.push(file)
    }
  }
  return files
}

function sharedFile(rel: string): string | undefined {
  const p = join(sharedDataDir(), rel)
  return existsSync(p) ? p : undefined
}

const f3 = (x: number) => x.toFixed(3)

function formatScores(s: Scores): string {
  return `accuracy ${f3(s.accuracy)}, macro-F1 ${f3(s.macroF1)}`
}

function formatConfusion(counts: number[][], labels: readonly string[]): string[] {
  const corner = 'true \\ predicted'
  const w = Math.max(...labels.map((l) => l.length), 6)
  const first = Math.max(corner.length, w) + 2
  return [
    `  ${corner.padEnd(first)}${labels.map((l) => l.padStart(w + 1)).join('')}`,
    ...counts.map((row, t) => `  ${labels[t].padEnd(first)}${row.map((c) => String(c).padStart(w + 1)).join('')}`),
  ]
}

function formatList(out: { source: string; origin: string; loadMs: number; moods: { name: string; description: string; tracks: number }[]; tracks?: { name: string; artists: string[]; probability: number }[] }): string {
  const lines = [`moods from the ${out.source === 'labels' ? 'classifier trained on your labels' : 'k-means fallback'} (${out.origin} in ${out.loadMs} ms)`]
  for (const m of out.moods) lines.push(`  ${m.name.padEnd(10)} ${String(m.tracks).padStart(6)} tracks  ${m.description}`)
  for (const t of out.tracks ?? []) lines.push(`  ${t.probability.toFixed(2)}  ${t.name} - ${t.artists.join(', ')}`)
  return lines.join('\n')
}

function formatTrain(r: TrainReport): string {
  const l = r.labels
  return [
    `read ${l.file}: ${l.rows} rows; ${l.byId} by id, ${l.byName} by title + artist, ${l.fromFeatures} from their own audio features, ${l.unmatched} unmatched, ${l.duplicates} duplicates`,
    `per mood: ${MOODS.map((m) => `${m} ${l.perMood[m]}`).join(', ')}`,
    `${r.cv.folds}-fold stratified CV: ${formatScores(r.cv.model)}; majority class: ${formatScores(r.cv.majority)}`,
    ...formatConfusion(r.cv.model.confusion, MOODS),
    `k-means moods (k = ${r.sweep.chosenK}) against the labels: ${formatScores(r.agreement)}`,
    `saved; trained in ${r.trainSeconds.toFixed(1)} s`,
  ].join('\n')
}

function formatReport(s: ReportSummary): string {
  const lines = [
    `k-means over ${DEFAULT_MOOD_CONFIG.features.join(', ')} (standardised)`,
    `  k:          ${s.sweep.ks.join('      ')}`,
    `  inertia:    ${s.sweep.inertia.map((x) => x.toExponential(2)).join(' ')}`,
    `  silhouette: ${s.sweep.silhouette.map((x) => x.toFixed(3).padStart(6)).join(' ')}  (seeded sample of ${s.sweep.silhouetteSample})`,
    `  chosen k = ${s.sweep.chosenK} (best silhouette, k >= 4); elbow knee at k = ${s.sweep.elbowK}`,
    ...s.clusterNames.map((n, c) => `  cluster ${c}: ${n.padEnd(10)} valence ${f3(s.clusterCentres[c].valence)}, energy ${f3(s.clusterCentres[c].energy)}`),
  ]
  if (s.labels) {
    lines.push(`labels ${s.labels.file} (${s.labels.rows} tracks)`)
    lines.push(`  k-means moods agree: ${formatScores(s.labels.agreement)}`, ...formatConfusion(s.labels.agreement.confusion, MOODS))
    lines.push(`  classifier, ${s.labels.cv.folds}-fold CV: ${formatScores(s.labels.cv.model)}; majority: ${formatScores(s.labels.cv.majority)}`, ...formatConfusion(s.labels.cv.model.confusion, MOODS))
  }
  if (s.listener) {
    lines.push(`listener moods (${s.listener.respondents} answers, ${s.listener.features} one-hot answers, 5-fold CV)`)
    for (const m of MOODS) {
      const r = s.listener.perMood[m]
      lines.push(`  ${m.padEnd(10)} named by ${r.positives}: F1 ${f3(r.f1)} (majority ${f3(r.majorityF1)}), accuracy ${f3(r.cv.model.accuracy)} (majority ${f3(r.cv.majority.accuracy)})`)
    }
  }
  if (s.chartsFile) lines.push(`chart data: ${s.chartsFile}`)
  if (s.pictures) lines.push(`pictures (${s.pictures.length}): ${s.pictures.join(', ')}`)
  return lines.join('\n')
}
