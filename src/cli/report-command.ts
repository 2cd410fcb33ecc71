/**
 * `segue report --out report.html [--png <dir>]`: every chart in one self-contained HTML file. Also the data
 * source both chart commands share: the catalogue imported into the home's store when there is one (else the
 * bundled 114k file, read without importing it) and the bundled listening data unless --listens.
 */
import type { Command } from 'commander'
import { resolve } from 'node:path'
import type { Engine } from '../engine.js'
import { loadChartContext, type ContextOptions } from '../report/context.js'
import { reportNeeds, writeReport } from '../report/html-report.js'
import type { ChartPart } from '../viz/charts.js'
import { moodsArtifactPath } from '../moods/catalogue-moods.js'
import { interruptSignal, wholeNumber, type Globals, type Print, type WithEngine } from './shared.js'

export interface SourceFlags {
  catalogue?: string
  listens?: string
  seed: number
}

/** The chart context for `needs`, from the store's catalogue (or the flags' files) and the listening data. */
export async function chartContext(e: Engine, needs: ReadonlySet<ChartPart>, flags: SourceFlags, work: Pick<ContextOptions, 'onProgress' | 'signal'>) {
  const stored = needs.has('tracks') && !flags.catalogue && !(await e.isEmpty()) ? await e.store.allTracks() : undefined
  // the moods charts read the song moods saved in the home for the stored catalogue (segue moods, or the server)
  const version = stored && needs.has('moods') ? (await e.store.catalogueInfo())?.version : undefined
  const moods = version ? { artifact: moodsArtifactPath(e.home), version } : undefined
  return loadChartContext(needs, { tracks: stored, catalogue: flags.catalogue, listens: flags.listens, seed: flags.seed, moods, ...work })
}

/** The options both chart commands take. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--catalogue <file>', 'catalogue CSV to draw (default: the imported catalogue, else the bundled 114k)')
    .option('--listens <path>', 'listening data (default: the bundled HetRec Last.fm 2K)')
    .option('--seed <n>', 'seed of the models\' split and fits (the network layout and samples use their stated seed, 42)', wholeNumber(2 ** 31 - 1), 42)
}

export function registerReportCommand(program: Command, globals: () => Globals, withEngine: WithEngine, print: Print): void {
  addSourceOptions(
    program
      .command('report')
      .description('every chart (catalogue, time, artists, listening, models) in one self-contained HTML file')
      .requiredOption('--out <file>', 'the HTML file to write (written whole or not at all)')
      .option('--png <dir>', 'also write every chart as <dir>/<name>.png'),
  ).action(async (o: SourceFlags & { out: string; png?: string }) => {
    const g = globals()
    await withEngine(g, async (e, progress) => {
      const started = performance.now()
      const signal = interruptSignal()
      const { ctx, sources } = await chartContext(e, reportNeeds(), o, { onProgress: progress.update, signal })
      const loadSeconds = (performance.now() - started) / 1000
      const result = await writeReport(resolve(o.out), ctx, sources, { pngDir: o.png && resolve(o.png), onProgress: progress.update, signal })
      progress.stop()
      const seconds = (performance.now() - started) / 1000
      const out = { file: resolve(o.out), ...result, seconds: { load: round(loadSeconds), draw: round(result.seconds.draw), total: round(seconds) } }
      print(g, out, () => `report written to ${out.file}: ${out.charts} charts, ${(out.bytes / 1024).toFixed(0)} kB${o.png ? `, ${out.pngs} PNGs in ${resolve(o.png)}` : ''} (${out.seconds.total} s: data ${out.seconds.load} s, charts ${out.seconds.draw} s)`)
    })
  })
}

const round = (s: number) => Math.round(s * 100) / 100
