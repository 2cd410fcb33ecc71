import type { Command } from 'commander'
import { join, resolve } from 'node:path'
import { saveTrained } from '../listening/trained.js'
import { loadListeningSaved } from '../listening/saved.js'
import { BUNDLED_LISTENING } from '../listening/source.js'
import { exportParquet, ROWS_PER_PART } from '../spark/export.js'
import { defaultModelDir, importSparkAls } from '../spark/import.js'
import { collectParam, parseParams } from './params.js'
import { wholeNumber, type Globals, type Print } from './shared.js'

/** The home folder as Engine.open resolves it (these commands never open the store). */
function homeOf(g: Globals): string {
  return resolve(g.home ?? process.env.SEGUE_HOME ?? '.segue')
}

/** Where `segue serve` (als-service.art) and `segue recommend --model als` (als.art) look for a saved ALS model. */
export function alsModelPaths(home: string): string[] {
  return [join(home, 'models', 'als-service.art'), join(home, 'models', 'als.art')]
}

/** `segue export --parquet <dir>` and `segue import-factors --spark <dir>`: the hand-off to Spark MLlib and back. */
export function registerSparkCommands(program: Command, globals: () => Globals, print: Print): void {
  program
    .command('export')
    .description("write the home's listening data as Parquet for Spark: interactions with ALS confidence, id maps (see deploy/spark/README.md)")
    .requiredOption('--parquet <dir>', 'directory to write (new, empty, or a previous export)')
    .option('--listening <path>', 'listening data, as `segue serve --listening` takes it (default: bundled HetRec Last.fm 2K)')
    .option('--param <key=value>', 'ALS parameter over the defaults, as `segue train --param` (repeatable)', collectParam)
    .option('--rows-per-part <n>', 'interactions per Parquet part file', wholeNumber(1_000_000_000), ROWS_PER_PART)
    .action(async (o: { parquet: string; listening?: string; param?: string[]; rowsPerPart: number }) => {
      const g = globals()
      const home = homeOf(g)
      const warn = (m: string) => process.stderr.write(`segue: warning: ${m}\n`)
      const { listening } = await loadListeningSaved(o.listening ?? BUNDLED_LISTENING, join(home, 'artifacts', 'listening.art'), { warn })
      const r = await exportParquet(listening, resolve(o.parquet), { params: parseParams(o.param), rowsPerPart: o.rowsPerPart })
      const m = r.manifest
      print(g, r, () => [
        `exported ${m.interactions} interactions (${m.users} users x ${m.items} items) to ${r.dir} in ${r.seconds.toFixed(1)} s: ${m.parts.length} part file(s)`,
        `train on Spark: spark-submit deploy/spark/train_als.py ${r.dir}   (rank ${m.spark.rank}, regParam ${m.spark.regParam.toPrecision(4)}, alpha ${m.spark.alpha})`,
        `then: segue import-factors --spark ${defaultModelDir(r.dir)}`,
      ].join('\n'))
    })

  program
    .command('import-factors')
    .description("turn a Spark ALSModel directory (userFactors/, itemFactors/, metadata/) into segue's ALS model")
    .requiredOption('--spark <dir>', 'the directory ALSModel.save(path) wrote')
    .option('--export <dir>', 'the export it was trained on (default: the parent of --spark)')
    .option('--out <file>', 'write the model here instead of the home (where serve and recommend load it)')
    .action(async (o: { spark: string; export?: string; out?: string }) => {
      const g = globals()
      const r = await importSparkAls(resolve(o.spark), o.export === undefined ? undefined : resolve(o.export))
      const paths = o.out ? [resolve(o.out)] : alsModelPaths(homeOf(g))
      for (const p of paths) saveTrained(p, r.trained)
      const m = r.manifest
      const summary = { users: m.users, items: m.items, rank: r.spark.rank, sparkVersion: r.spark.metadata.sparkVersion ?? null, params: r.trained.params, saved: paths }
      print(g, summary, () => [
        `imported Spark ALS (rank ${summary.rank}, Spark ${String(summary.sparkVersion ?? '?')}) for ${m.users} users x ${m.items} items of ${m.source}`,
        `saved ${paths.join(' and ')}`,
        ...(Object.keys(r.trained.params).length > 0 ? [`note: params ${JSON.stringify(r.trained.params)}; \`segue serve\` loads it only when it serves ALS with these params (its default is none)`] : []),
      ].join('\n'))
    })
}
