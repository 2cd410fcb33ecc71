import { ByteLru } from '../service/byte-lru.js'

/**
 * Bytes of similar-tracks answers kept (about 1,400 answers of ten tracks): a track people open is asked for
 * again by the next listener, and its answer cannot change while the server runs, unless the moods do.
 */
export const SIMILAR_ANSWER_BYTES = 8 * 1024 * 1024

/**
 * Answers of GET /api/tracks/:id/similar as sent (JSON text), by everything the answer depends on: the seed, n,
 * excludeSeedArtist and the mood filter under one catalogue (fixed for a server's life) and one mood assignment
 * (ServiceMoods.current: each track's mood is in the text, and a mood filter uses it). A new assignment (the
 * classifier a first start builds on another thread) drops every answer written under the old one. Only
 * answers from the fitted features are kept: an embedding model may be retrained while the server runs.
 */
export class SimilarAnswers {
  private readonly kept: ByteLru<string, string>
  private moods: object | null = null

  constructor(budgetBytes = SIMILAR_ANSWER_BYTES) {
    this.kept = new ByteLru(budgetBytes)
  }

  static key(id: string, n: number, excludeSeedArtist: boolean, mood: string | undefined): string {
    // NUL is refused in ids and moods at the schema edge, so it cannot join two keys into one.
    return `${id}\0${n}\0${excludeSeedArtist ? 1 : 0}\0${mood ?? ''}`
  }

  get(key: string, moods: object): string | undefined {
    if (moods !== this.moods) return undefined
    return this.kept.get(key)
  }

  /** Keeps `body` for `key` under `moods`, forgetting everything written under another assignment. */
  set(key: string, moods: object, body: string): void {
    if (moods !== this.moods) {
      this.kept.clear()
      this.moods = moods
    }
    // Two bytes per UTF-16 unit of the text and the key, plus the map entry.
    this.kept.set(key, body, 2 * (body.length + key.length) + 96)
  }
}
