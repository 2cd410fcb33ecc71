import type { CatalogueView } from '../../src/engine.js'
import { ListenerHistory } from '../../src/service/profile.js'
import type { FeedbackEvent, FeedbackKind } from '../../src/store/store.js'

/** A listener whose events are folded into a ListenerHistory as a server would, without a store. */
export class TestListener {
  readonly events: FeedbackEvent[] = []
  readonly history: ListenerHistory

  constructor(view: CatalogueView) {
    this.history = new ListenerHistory(view)
  }

  add(e: [string, FeedbackKind][]): this {
    for (const [trackId, kind] of e) this.events.push({ seq: this.events.length + 1, listenerId: 'l', trackId, kind, at: '' })
    this.history.fold(this.events)
    return this
  }
}
