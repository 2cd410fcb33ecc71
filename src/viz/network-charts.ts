/**
 * Charts of the artist collaboration network (network.ts): the drawn core, the degree distribution on log
 * scales, the sizes of the largest communities, and the artists with the most collaborators.
 */
import { barSpec } from './bar.js'
import { degreeCounts, NETWORK_SEED, networkData, topCollaborators, artistNetwork, type NetworkData } from './network.js'
import { noDataSpec, SCHEMA, titleOf, WIDTH, type ChartSpec, type ChartText } from './spec.js'
import type { Track } from '../core/track.js'

/** Communities given their own colour in the drawing; the rest share one, as ten colours are all a reader tells apart. */
const COLOURED_COMMUNITIES = 9
/** Artists named on the drawing: the highest-degree ones, few enough that labels rarely overlap. */
const LABELLED_NODES = 14
/** Side of the square drawing in pixels. */
const NETWORK_SIDE = 560

function communityLabel(c: number): string {
  return c < COLOURED_COMMUNITIES ? `Community ${c + 1}` : 'Other communities'
}

/** The drawn network: edges as lines, artists as circles coloured by community and sized by degree. */
export function networkSpec(data: NetworkData, text: ChartText): ChartSpec {
  if (data.nodes.length === 0) return noDataSpec(text, 'No two artists share a track')
  const at = new Map(data.nodes.map((n) => [n.id, n]))
  const edges = data.edges.map((e) => ({ x: at.get(e.source)!.x, y: at.get(e.source)!.y, x2: at.get(e.target)!.x, y2: at.get(e.target)!.y, weight: e.weight }))
  const nodes = data.nodes.map((n) => ({ name: n.name, x: n.x, y: n.y, degree: n.degree, community: communityLabel(n.community) }))
  const labelled = [...nodes].sort((a, b) => b.degree - a.degree).slice(0, LABELLED_NODES)
  const axis = { field: 'x', type: 'quantitative' as const, axis: null, scale: { domain: [-0.03, 1.03] } }
  const yAxis = { field: 'y', type: 'quantitative' as const, axis: null, scale: { domain: [-0.03, 1.03] } }
  const domain = [...new Set(nodes.map((n) => n.community))].sort(byCommunity)
  return {
    $schema: SCHEMA,
    title: titleOf(text),
    width: NETWORK_SIDE,
    height: NETWORK_SIDE,
    layer: [
      {
        data: { values: edges },
        mark: { type: 'rule', style: 'network-edge', aria: false }, // colour and opacity per theme (theme.ts)
        encoding: { x: axis, y: yAxis, x2: { field: 'x2' }, y2: { field: 'y2' }, strokeWidth: { field: 'weight', type: 'quantitative', scale: { type: 'sqrt', range: [0.5, 3] }, legend: null } },
      },
      {
        data: { values: nodes },
        mark: { type: 'circle', opacity: 0.9, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: axis,
          y: yAxis,
          color: { field: 'community', type: 'nominal', title: 'Louvain community', scale: { domain } },
          size: { field: 'degree', type: 'quantitative', title: 'Collaborators', scale: { range: [20, 500] } },
          tooltip: [
            { field: 'name', type: 'nominal', title: 'Artist' },
            { field: 'degree', type: 'quantitative', title: 'Collaborators' },
            { field: 'community', type: 'nominal', title: 'Community' },
          ],
        },
      },
      {
        data: { values: labelled },
        mark: { type: 'text', dy: -11, fontSize: 10 },
        encoding: { x: axis, y: yAxis, text: { field: 'name', type: 'nominal' } },
      },
    ],
  }
}

function byCommunity(a: string, b: string): number {
  const n = (s: string) => (s.startsWith('Community') ? Number(s.slice(10)) : Infinity)
  return n(a) - n(b)
}

/** How many artists have each number of collaborators, both axes logarithmic (a heavy tail is a straight-ish line). */
export function degreeSpec(tracks: readonly Track[], text: ChartText): ChartSpec {
  const rows = degreeCounts(artistNetwork(tracks))
  if (rows.length === 0) return noDataSpec(text, 'No two artists share a track')
  const log = { type: 'log' as const }
  return {
    $schema: SCHEMA,
    title: titleOf(text),
    width: WIDTH,
    height: 300,
    data: { values: rows },
    mark: { type: 'point', filled: true, size: 40 },
    encoding: {
      x: { field: 'degree', type: 'quantitative', title: 'Collaborators (degree, log scale)', scale: log },
      y: { field: 'artists', type: 'quantitative', title: 'Artists (log scale)', scale: log },
      tooltip: [
        { field: 'degree', type: 'quantitative', title: 'Collaborators' },
        { field: 'artists', type: 'quantitative', title: 'Artists', format: ',' },
      ],
    },
  }
}

/** Communities shown in the sizes chart. */
const LISTED_COMMUNITIES = 15
/** Artists shown in the top-collaborators chart. */
const LISTED_COLLABORATORS = 20

export function communitySizesSpec(tracks: readonly Track[], text: ChartText): ChartSpec {
  const net = artistNetwork(tracks)
  const sizes = net.communitySizes.filter((s) => s > 1).slice(0, LISTED_COMMUNITIES)
  const bars = sizes.map((value, i) => ({ category: `Community ${i + 1}`, value }))
  return barSpec({ ...text, xTitle: 'Louvain community', yTitle: 'Artists', horizontal: true, bars })
}

export function topCollaboratorsSpec(tracks: readonly Track[], text: ChartText): ChartSpec {
  const rows = topCollaborators(artistNetwork(tracks), LISTED_COLLABORATORS)
  const bars = rows.map((r) => ({ category: r.name, value: r.degree }))
  return barSpec({ ...text, xTitle: 'Artist', yTitle: 'Collaborators (artists sharing a track with them)', horizontal: true, bars })
}

export function drawnNetworkSpec(tracks: readonly Track[], text: ChartText): ChartSpec {
  const data = networkData(tracks)
  const s = data.stats
  const subtitle = data.nodes.length
    ? `${data.nodes.length} best-connected of the largest component's ${s.largestComponent.toLocaleString('en-GB')} artists · ForceAtlas2 and Louvain, seed ${NETWORK_SEED}`
    : undefined
  return networkSpec(data, { ...text, subtitle })
}
