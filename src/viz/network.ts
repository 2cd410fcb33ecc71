/**
 * The artist collaboration network: artists are nodes, and two artists are joined when a track credits both
 * (the catalogue's artist lists); an edge's weight is the number of such tracks. Communities come from Louvain
 * (graphology-communities-louvain, seeded), the drawing from ForceAtlas2 (graphology-layout-forceatlas2) on the
 * core of the largest connected component, started from seeded random positions, so the same catalogue gives the
 * same picture on every machine. Positions are computed here: the spec and `networkData` are plain data.
 */
import { UndirectedGraph } from 'graphology'
import louvainModule from 'graphology-communities-louvain'
import forceAtlas2Module from 'graphology-layout-forceatlas2'
import { Rng } from '../core/rng.js'
import type { Track } from '../core/track.js'
import { round } from './spec.js'

// Both packages are CommonJS with `module.exports = fn`, typed as an ES default export: under NodeNext, TypeScript
// sees the namespace, while Node hands the function over as the default import.
const louvain = louvainModule as unknown as typeof louvainModule.default
const forceAtlas2 = forceAtlas2Module as unknown as typeof forceAtlas2Module.default

/** Seed of Louvain's and the layout's randomness unless asked; stated in captions. */
export const NETWORK_SEED = 42
/** Nodes drawn at most: the highest-degree artists of the largest component; more becomes a hairball. */
export const CORE_SIZE = 120
/** ForceAtlas2 iterations: the core's layout stops moving visibly well before this (checked by eye, 2026-12). */
const LAYOUT_ITERATIONS = 300
/** Artists credited on one track beyond which the track is left out: a 30-name compilation joins strangers. */
const MAX_CREDITS = 12

export interface NetworkNode {
  id: string
  name: string
  /** Position from ForceAtlas2, scaled into [0, 1] on both axes. */
  x: number
  y: number
  /** Louvain community over the whole network, numbered by size (0 the largest). */
  community: number
  /** Collaborators over the whole network. */
  degree: number
}

export interface NetworkEdge {
  source: string
  target: string
  /** Tracks that credit both artists. */
  weight: number
}

export interface NetworkData {
  /** The drawn core: at most CORE_SIZE artists of the largest component, by degree. */
  nodes: NetworkNode[]
  edges: NetworkEdge[]
  stats: NetworkStats
}

export interface NetworkStats {
  artists: number
  /** Artists with at least one collaborator. */
  collaborating: number
  edges: number
  components: number
  largestComponent: number
  communities: number
  modularity: number
  seed: number
}

export interface Collaborators {
  name: string
  degree: number
  tracks: number
}

/** What the charts need from the network, computed once per catalogue. */
export interface ArtistNetwork {
  graph: UndirectedGraph
  /** node -> community, numbered by size. */
  community: Map<string, number>
  communitySizes: number[]
  components: string[][]
  stats: NetworkStats
}

/** Artists joined by shared tracks; node keys are artist names (the 114k layout has no artist ids). */
export function collaborationGraph(tracks: readonly Track[]): UndirectedGraph {
  const g = new UndirectedGraph()
  for (const t of tracks) {
    const names = [...new Set(t.artists)]
    for (const a of names) g.mergeNode(a, { tracks: (g.hasNode(a) ? (g.getNodeAttribute(a, 'tracks') as number) : 0) + 1 })
    if (names.length < 2 || names.length > MAX_CREDITS) continue
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        g.updateUndirectedEdge(names[i], names[j], (attr) => ({ weight: ((attr.weight as number | undefined) ?? 0) + 1 }))
      }
    }
  }
  return g
}

/** Connected components, largest first (breadth-first search). */
export function componentsOf(g: UndirectedGraph): string[][] {
  const seen = new Set<string>()
  const out: string[][] = []
  g.forEachNode((start) => {
    if (seen.has(start)) return
    seen.add(start)
    const comp = [start]
    for (let i = 0; i < comp.length; i++) {
      g.forEachNeighbor(comp[i], (n) => {
        if (!seen.has(n)) {
          seen.add(n)
          comp.push(n)
        }
      })
    }
    out.push(comp)
  })
  return out.sort((a, b) => b.length - a.length)
}

const cache = new WeakMap<readonly Track[], Map<number, ArtistNetwork>>()

/** The network of a catalogue with Louvain communities; cached per tracks array and seed. */
export function artistNetwork(tracks: readonly Track[], seed = NETWORK_SEED): ArtistNetwork {
  const bySeed = cache.get(tracks) ?? new Map<number, ArtistNetwork>()
  cache.set(tracks, bySeed)
  const hit = bySeed.get(seed)
  if (hit) return hit
  const net = computeNetwork(tracks, seed)
  bySeed.set(seed, net)
  return net
}

function computeNetwork(tracks: readonly Track[], seed: number): ArtistNetwork {
  const graph = collaborationGraph(tracks)
  const components = componentsOf(graph)
  const { community, sizes, modularity } = communities(graph, seed)
  const stats: NetworkStats = {
    artists: graph.order,
    collaborating: graph.order - components.filter((c) => c.length === 1).length,
    edges: graph.size,
    components: components.length,
    largestComponent: components[0]?.length ?? 0,
    communities: sizes.filter((s) => s > 1).length,
    modularity: round(modularity, 4),
    seed,
  }
  return { graph, community, communitySizes: sizes, components, stats }
}

/** Louvain over collaborating artists, weighted by shared tracks; communities renumbered largest first. */
function communities(graph: UndirectedGraph, seed: number) {
  const community = new Map<string, number>()
  if (graph.size === 0) {
    graph.forEachNode((n) => community.set(n, community.size))
    return { community, sizes: graph.order ? new Array<number>(graph.order).fill(1) : [], modularity: 0 }
  }
  const rng = new Rng(seed)
  const result = louvain.detailed(graph, { getEdgeWeight: 'weight', rng: () => rng.next() })
  const counts = new Map<number, number>()
  for (const c of Object.values(result.communities)) counts.set(c, (counts.get(c) ?? 0) + 1)
  const order = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([c]) => c)
  const rank = new Map(order.map((c, i) => [c, i]))
  for (const [n, c] of Object.entries(result.communities)) community.set(n, rank.get(c)!)
  return { community, sizes: order.map((c) => counts.get(c)!), modularity: result.modularity }
}

/** Artists by number of collaborators (ties by shared tracks, then name). */
export function topCollaborators(net: ArtistNetwork, n: number): Collaborators[] {
  const rows: Collaborators[] = []
  net.graph.forEachNode((name) => {
    const degree = net.graph.degree(name)
    if (degree === 0) return
    let shared = 0
    net.graph.forEachEdge(name, (_e, attr) => (shared += attr.weight as number))
    rows.push({ name, degree, tracks: shared })
  })
  return rows.sort((a, b) => b.degree - a.degree || b.tracks - a.tracks || a.name.localeCompare(b.name)).slice(0, n)
}

/** How many artists have each number of collaborators (degree 0 excluded). */
export function degreeCounts(net: ArtistNetwork): { degree: number; artists: number }[] {
  const counts = new Map<number, number>()
  net.graph.forEachNode((n) => {
    const d = net.graph.degree(n)
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1)
  })
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([degree, artists]) => ({ degree, artists }))
}

export interface NetworkDataOptions {
  /** Artists drawn at most (default CORE_SIZE). */
  size?: number
  seed?: number
}

/**
 * The core of the largest component, laid out: its `size` highest-degree artists (ties by name) and the edges
 * among them, positions from ForceAtlas2 scaled into [0, 1]. For the Explore page's interactive network and
 * the drawn one.
 */
export function networkData(tracks: readonly Track[], opts: NetworkDataOptions = {}): NetworkData {
  const seed = opts.seed ?? NETWORK_SEED
  const key = `${seed}:${opts.size ?? CORE_SIZE}`
  const byKey = layoutCache.get(tracks) ?? new Map<string, NetworkData>()
  layoutCache.set(tracks, byKey)
  const hit = byKey.get(key)
  if (hit) return structuredClone(hit)
  const data = layOutCore(tracks, seed, opts.size ?? CORE_SIZE)
  byKey.set(key, data)
  return structuredClone(data)
}

/** Laid-out cores per tracks array, seed and size: the layout takes about 0.4 s, and a page asks for it often. */
const layoutCache = new WeakMap<readonly Track[], Map<string, NetworkData>>()

function layOutCore(tracks: readonly Track[], seed: number, size: number): NetworkData {
  const net = artistNetwork(tracks, seed)
  const largest = net.components[0] ?? []
  if (largest.length < 2) return { nodes: [], edges: [], stats: net.stats }
  const core = [...largest]
    .sort((a, b) => net.graph.degree(b) - net.graph.degree(a) || a.localeCompare(b))
    .slice(0, size)
  const sub = new UndirectedGraph()
  const rng = new Rng(seed)
  for (const n of core) sub.addNode(n, { x: rng.next(), y: rng.next() })
  for (const n of core) {
    net.graph.forEachNeighbor(n, (m) => {
      if (n < m && sub.hasNode(m)) sub.addEdge(n, m, { weight: net.graph.getEdgeAttribute(n, m, 'weight') })
    })
  }
  const positions = layout(sub)
  const nodes = core.map((id) => ({ id, name: id, ...positions.get(id)!, community: net.community.get(id)!, degree: net.graph.degree(id) }))
  const edges = sub.mapEdges((_e, attr, source, target) => ({ source, target, weight: attr.weight as number }))
  return { nodes, edges, stats: net.stats }
}

/** ForceAtlas2 from the nodes' seeded positions, scaled into [0, 1] keeping the aspect ratio. */
function layout(sub: UndirectedGraph): Map<string, { x: number; y: number }> {
  const settings = { ...forceAtlas2.inferSettings(sub), barnesHutOptimize: false }
  const raw = forceAtlas2(sub, { iterations: LAYOUT_ITERATIONS, settings, getEdgeWeight: 'weight' })
  const xs = Object.values(raw).map((p) => p.x)
  const ys = Object.values(raw).map((p) => p.y)
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)]
  const span = Math.max(Math.max(...xs) - x0, Math.max(...ys) - y0) || 1
  return new Map(Object.entries(raw).map(([id, p]) => [id, { x: round((p.x - x0) / span, 4), y: round((p.y - y0) / span, 4) }]))
}
