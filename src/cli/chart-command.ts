/**
 * `segue chart <name> [--out file.svg|.png|.json] [--json]` draws one chart; `segue chart --list` names them all.
 * Without --out the SVG goes to stdout; --json prints the Vega-Lite spec (with the theme) instead.
 */
import type { Command } from 'commander'
import { Option } from 'commander'
import { resolve } from 'node:path'
import { SegueError } from '../core/errors.js'
import { buildChart, CHARTS } from '../viz/charts.js'
import { renderChart, writeChart } from '../viz/render.js'
import type { ChartPart } from '../viz/charts.js'
import type { ThemeName } from '../viz/theme.js'
import { addSourceOptions, chartContext, type SourceFlags } from './report-command.js'
import { interruptSignal, type Globals, type Print, type WithEngine } from './shared.js'

interface ChartFlags extends SourceFlags {
  list?: boolean
  out?: string
  theme: ThemeName
}

export function registerChartCommand(program: Command, globals: () => Globals, withEngine: WithEngine, print: Print): void {
  addSourceOptions(
    program
      .command('chart [name]')
      .description('draw one chart as SVG, PNG or its Vega-Lite spec; --list names every chart')
      .option('--list', 'list the charts with what each shows')
      .option('--out <file>', 'write to a file: .svg, .png or .json by extension (default: SVG on stdout)')
      .addOption(new Option('--theme <theme>', 'colours').choices(['light', 'dark']).default('light')),
  ).action(async (name: string | undefined, o: ChartFlags) => {
    const g = globals()
    if (o.list) return print(g, Object.entries(CHARTS).map(([n, d]) => ({ name: n, title: d.title, description: d.description, needs: d.needs ?? ['tracks'] })), listText)
    if (!name) throw new SegueError('E_BAD_ARGUMENT', 'name a chart (segue chart --list shows them)')
    if (!Object.hasOwn(CHARTS, name)) buildChart(name, { tracks: [] }) // E_NOT_FOUND naming the charts there are
    await withEngine(g, async (e, progress) => {
      const needs = new Set<ChartPart>(CHARTS[name].needs ?? ['tracks'])
      const { ctx } = await chartContext(e, needs, o, { onProgress: progress.update, signal: interruptSignal() })
      progress.stop()
      const spec = buildChart(name, ctx)
      if (o.out) {
        await writeChart(resolve(o.out), spec, { theme: o.theme })
        return print(g, { chart: name, file: resolve(o.out) }, () => `${name} written to ${resolve(o.out!)}`)
      }
      process.stdout.write(await renderChart(spec, g.json ? 'json' : 'svg', { theme: o.theme }))
    })
  })
}

function listText(): string {
  const width = Math.max(...Object.keys(CHARTS).map((n) => n.length))
  return Object.entries(CHARTS).map(([n, d]) => `${n.padEnd(width)}  ${d.title}`).join('\n')
}
