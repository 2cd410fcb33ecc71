import { SegueError } from './errors.js'

/**
 * Raw string ids at the edges, dense integers 0..size-1 inside: the one place where the two meet.
 * Dense ids are assigned in first-seen order, so the same input always gives the same numbering.
 */
export class IdMap {
  private readonly toDense = new Map<string, number>()
  private readonly raw: string[] = []

  static from(ids: Iterable<string>): IdMap {
    const m = new IdMap()
    for (const id of ids) m.add(id)
    return m
  }

  get size(): number {
    return this.raw.length
  }

  /** The dense id of `id`, adding it when new. */
  add(id: string): number {
    let d = this.toDense.get(id)
    if (d === undefined) {
      d = this.raw.length
      this.toDense.set(id, d)
      this.raw.push(id)
    }
    return d
  }

  /** The dense id, or undefined for an id never seen (a new user, say): callers decide what that means. */
  dense(id: string): number | undefined {
    return this.toDense.get(id)
  }

  /** The dense id, or E_NOT_FOUND naming what kind of id was asked for. */
  require(id: string, what = 'id'): number {
    const d = this.toDense.get(id)
    if (d === undefined) throw new SegueError('E_NOT_FOUND', `unknown ${what} '${id}'`)
    return d
  }

  rawId(dense: number): string {
    const r = this.raw[dense]
    if (r === undefined) throw new SegueError('E_NOT_FOUND', `no raw id for dense id ${dense}`)
    return r
  }

  rawIds(): readonly string[] {
    return this.raw
  }
}
