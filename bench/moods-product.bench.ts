// The moods product on the bundled 114k catalogue (89,741 tracks), per request, after start:
//   a mood's tracks without and with a listener (50 likes), "for you" filtered to a mood (content model,
//   over-fetch 4x then the mood's own list), a 20-track journey (anchors cached after the first), the listener's
//   mood, and a track item's mood (summary). Medians of BENCH_ROUNDS rounds. BENCH_HOME reuses a home whose
//   moods are built (else a fresh one, and the moods are built first, about 25-50 s).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { moodJourney } from '../src/moods/journey.js'
import { moodTopN } from '../src/moods/personal.js'
import { listenerMood } from '../src/moods/product.js'
import { summary } from '../src/server/schemas.js'
import { SegueService } from '../src/service/service.js'
import { median, report, timeRounds, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const service = await SegueService.start({ home: process.env.BENCH_HOME ?? mkdtempSync(join(tmpdir(), 'segue-moods-bench-')), listening: null })
await service.moods.ready
const moods = service.moods.current
const view = service.view
const { listener } = await service.createListener('bench')
// 50 likes of Happy tracks, spread over the catalogue.
const happy = [...view.tracks.keys()].filter(moods.is('Happy'))
await service.store.appendFeedback(listener.id, happy.filter((_, i) => i % Math.floor(happy.length / 50) === 0).slice(0, 50).map((r) => ({ trackId: view.tracks[r].id, kind: 'like' as const })))
const profile = await service.listenerProfile(listener.id)

const rows: Row[] = []
const time = async (task: string, fn: () => unknown) => {
  await fn()
  rows.push({ task, 'median ms': +(median(await timeRounds(ROUNDS, fn)) * 1000).toFixed(1) })
}
await time('mood tracks, no listener (n=20)', () => moodTopN(view, moods, 'Calm', { n: 20 }))
await time('mood tracks for a listener with 50 likes (n=20)', () => moodTopN(view, moods, 'Calm', { n: 20, profile }))
await time('for you, content, mood=Calm (n=20)', () => service.recommendations(listener.id, { model: 'content', n: 20, seeds: [], mood: 'Calm' }).then(() => (service as unknown as { results: Map<unknown, unknown> }).results.clear()))
await time('for you, content, no mood (n=20)', () => service.recommendations(listener.id, { model: 'content', n: 20, seeds: [] }).then(() => (service as unknown as { results: Map<unknown, unknown> }).results.clear()))
await time('journey Calm -> Energetic (n=20)', () => moodJourney(moods.saved, view, { from: 'Calm', to: 'Energetic', n: 20 }))
await time("listener's mood", () => listenerMood(service.store, moods, listener.id, 12))
await time('summary() of 100 track items (with mood)', () => { for (let r = 0; r < 100; r++) summary(view.tracks[r]) })
report('moods-product', rows, { rounds: ROUNDS, source: moods.source, counts: moods.counts })
await service.close()
