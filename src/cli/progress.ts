import cliProgress from 'cli-progress'
import type { Progress, ProgressFn } from '../core/progress.js'

/**
 * Shows long work on stderr: a bar per phase on a terminal, and a line per quarter otherwise (logs,
 * CI), so progress never mixes into the JSON a command prints on stdout.
 */
export class ProgressView {
  private bar: cliProgress.SingleBar | null = null
  private phase = ''
  private lastQuarter = -1

  constructor(private readonly enabled: boolean) {}

  readonly update: ProgressFn = (p: Progress) => {
    if (!this.enabled) return
    if (p.phase !== this.phase) this.start(p)
    if (this.bar) {
      this.bar.setTotal(Math.max(p.total, 1))
      this.bar.update(p.done)
      return
    }
    const quarter = p.total > 0 ? Math.floor((4 * p.done) / p.total) : 0
    if (quarter > this.lastQuarter) {
      this.lastQuarter = quarter
      process.stderr.write(`${p.phase}: ${quarter * 25}%\n`)
    }
  }

  stop(): void {
    this.bar?.stop()
    this.bar = null
    this.phase = ''
  }

  private start(p: Progress): void {
    this.stop()
    this.phase = p.phase
    this.lastQuarter = -1
    if (!process.stderr.isTTY) return
    this.bar = new cliProgress.SingleBar(
      { format: `${p.phase.padEnd(8)} [{bar}] {percentage}% | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    )
    this.bar.start(Math.max(p.total, 1), p.done)
  }
}
