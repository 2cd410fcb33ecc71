import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { isAbort, type TrackSummary } from '../api';
import { chartsApi, pageTheme, type ChartInfo, type ChartSpec, type ChartTheme } from '../api-charts';
import { humanError } from '../errors';
import { ExploreChart } from './ExploreChart';
import type { EmbedResult } from './ExploreEmbed';
import { SkeletonRows, TrackRow } from './TrackRow';
import { CloseIcon } from './Icons';
import '../explore.css';

/** The drawn collaboration network, made interactive here. */
const NETWORK = 'artist-network';
/** The other pictures of the network, beside it. */
const ARTIST_CHARTS = ['top-collaborators', 'artist-degrees', 'artist-communities'];
/** Cluster maps by preference; the first the server can mark a track on is used, else any it can. */
const CLUSTER_CHARTS = ['catalogue-clusters', 'clusters-pca', 'pca-clusters', 'clusters', 'moods-scatter'];
/** The model comparison, in reading order. */
const MODEL_CHARTS = ['precision-recall', 'accuracy-trade-offs', 'metrics-at-k', 'popularity-bias'];
/** Catalogue charts shown first: a quick one to draw, then the overview before the details. */
const CATALOGUE_FIRST = ['keys', 'feature-correlation', 'feature-distributions', 'modes', 'explicit-share'];
/** One histogram per feature: feature-distributions already shows them all. */
const SINGLE_FEATURE = /^distribution-/;

interface Groups {
  cluster: ChartInfo | null;
  catalogue: ChartInfo[];
  network: ChartInfo | null;
  artists: ChartInfo[];
  models: ChartInfo[];
  more: ChartInfo[];
}

function groupCharts(charts: ChartInfo[]): Groups {
  const by = new Map(charts.map((c) => [c.name, c]));
  const pick = (names: string[]) => names.flatMap((n) => (by.has(n) ? [by.get(n)!] : []));
  const cluster = [...pick(CLUSTER_CHARTS), ...charts].find((c) => c.highlightable) ?? null;
  const placed = new Set([NETWORK, ...ARTIST_CHARTS, ...MODEL_CHARTS, cluster?.name]);
  const rest = charts.filter((c) => !placed.has(c.name) && !SINGLE_FEATURE.test(c.name));
  const isCatalogue = (c: ChartInfo) => c.needs.length === 1 && c.needs[0] === 'tracks';
  const rank = (c: ChartInfo) => (CATALOGUE_FIRST.includes(c.name) ? CATALOGUE_FIRST.indexOf(c.name) : CATALOGUE_FIRST.length);
  return {
    cluster,
    catalogue: rest.filter(isCatalogue).sort((a, b) => rank(a) - rank(b)),
    network: by.get(NETWORK) ?? null,
    artists: pick(ARTIST_CHARTS),
    models: pick(MODEL_CHARTS),
    more: rest.filter((c) => !isCatalogue(c)),
  };
}

/** The drawn network with zoom and pan (scales bound to drag and wheel) and a pointer over artists. */
function interactiveNetwork(spec: ChartSpec): ChartSpec {
  const layers = spec.layer as Record<string, unknown>[] | undefined;
  if (!Array.isArray(layers)) return spec; // "no data" charts have nothing to zoom
  const isNodes = (l: Record<string, unknown>) => {
    const mark = l.mark as { type?: string } | string | undefined;
    const type = typeof mark === 'string' ? mark : mark?.type;
    return type === 'circle' || type === 'point';
  };
  return {
    ...spec,
    layer: layers.map((l) =>
      isNodes(l)
        ? { ...l, params: [{ name: 'zoom', select: 'interval', bind: 'scales' }], mark: { ...(typeof l.mark === 'string' ? { type: l.mark } : (l.mark as object)), cursor: 'pointer' } }
        : l,
    ),
  };
}

/** The theme charts are drawn in, following the page's color-scheme and the system's preference. */
function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState<ChartTheme>(pageTheme);
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: light)');
    const update = () => setTheme(pageTheme());
    mq.addEventListener('change', update);
    return () => mq.removeEventListener('change', update);
  }, []);
  return theme;
}

interface ExplorePageProps {
  /** A track to mark on the cluster map (from the track drawer's "Show on the cluster map"). */
  highlight: TrackSummary | null;
  onClearHighlight: () => void;
  onError: (err: unknown) => void;
}

/** The Explore page: the catalogue, the artist network, the models and the cluster map, drawn live. */
export default function ExplorePage({ highlight, onClearHighlight, onError }: ExplorePageProps) {
  const theme = useChartTheme();
  const [charts, setCharts] = useState<ChartInfo[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    chartsApi
      .list(ctl.signal)
      .then((r) => setCharts(r.charts))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setFailed(humanError(err).message);
        onError(err);
      });
    return () => ctl.abort();
  }, [onError]);

  const groups = useMemo(() => (charts ? groupCharts(charts) : null), [charts]);

  if (failed) return <p className="empty-hint">The charts could not be loaded: {failed}</p>;
  if (!groups) return <SkeletonRows count={3} />;
  return (
    <div className="explore" data-testid="explore" data-theme={theme}>
      <header className="explore-head">
        <h1>Explore</h1>
        <p className="panel-note">The catalogue, its artists and the models, drawn from the data this server holds.</p>
      </header>

      {groups.cluster ? (
        <ClusterSection info={groups.cluster} theme={theme} highlight={highlight} onClear={onClearHighlight} />
      ) : (
        highlight && (
          <p className="explore-highlight" data-testid="cluster-missing">
            This server has no cluster map that can place “{highlight.name}” yet.{' '}
            <button type="button" className="btn btn-ghost btn-small" onClick={onClearHighlight}>
              OK
            </button>
          </p>
        )
      )}

      <ChartSection title="The catalogue" charts={groups.catalogue} theme={theme} />

      {groups.network && <NetworkSection info={groups.network} theme={theme} onError={onError} />}
      <ChartSection title="Artists in numbers" charts={groups.artists} theme={theme} />

      <ChartSection
        title="The models compared"
        charts={groups.models}
        theme={theme}
        slowNote="The server evaluates the models on the listening data the first time (about 15 s)…"
      />
      <ChartSection title="Listening and history" charts={groups.more} theme={theme} />
    </div>
  );
}

function ChartSection({ title, charts, theme, slowNote }: { title: string; charts: ChartInfo[]; theme: ChartTheme; slowNote?: string }) {
  if (charts.length === 0) return null;
  return (
    <section className="explore-section">
      <h2 className="explore-h2">{title}</h2>
      <div className="explore-grid">
        {charts.map((c) => (
          <ExploreChart key={c.name} info={c} theme={theme} slowNote={slowNote} />
        ))}
      </div>
    </section>
  );
}

interface ArtistTracks {
  artist: string;
  tracks: TrackSummary[] | null;
}

function NetworkSection({ info, theme, onError }: { info: ChartInfo; theme: ChartTheme; onError: (err: unknown) => void }) {
  const [selected, setSelected] = useState<ArtistTracks | null>(null);
  const [resetKey, setResetKey] = useState(0);
  const ctl = useRef<AbortController | null>(null);

  const showArtist = useCallback(
    (artist: string) => {
      ctl.current?.abort();
      const c = (ctl.current = new AbortController());
      setSelected({ artist, tracks: null });
      chartsApi
        .artistTracks(artist, c.signal)
        .then((tracks) => setSelected((s) => (s?.artist === artist ? { artist, tracks } : s)))
        .catch((err: unknown) => {
          if (isAbort(err)) return;
          setSelected((s) => (s?.artist === artist ? { artist, tracks: [] } : s));
          onError(err);
        });
    },
    [onError],
  );
  useEffect(() => () => ctl.current?.abort(), []);

  const onView = useCallback(
    (r: EmbedResult) => {
      r.view.addEventListener('click', (_event, item) => {
        const name = (item as { datum?: { name?: unknown } } | null | undefined)?.datum?.name;
        if (typeof name === 'string') showArtist(name);
      });
    },
    [showArtist],
  );

  return (
    <section className="explore-section">
      <h2 className="explore-h2">Who works with whom</h2>
      <div className="explore-network">
        <ExploreChart key={resetKey} info={info} theme={theme} prepare={interactiveNetwork} onView={onView} className="explore-chart-network">
          <p className="panel-hint explore-network-help">
            Drag to pan, scroll to zoom, hover an artist for their collaborators, click one for their tracks.{' '}
            <button type="button" className="btn btn-ghost btn-small" data-testid="network-reset" onClick={() => setResetKey((k) => k + 1)}>
              Reset view
            </button>
          </p>
        </ExploreChart>
        <aside className="panel explore-artist" data-testid="artist-panel" aria-live="polite">
          {!selected && <p className="empty-hint">Click an artist on the network to see their tracks.</p>}
          {selected && (
            <>
              <div className="panel-head">
                <h2 data-testid="artist-name">{selected.artist}</h2>
                <button type="button" className="icon-btn" aria-label="Close the artist's tracks" onClick={() => setSelected(null)}>
                  <CloseIcon />
                </button>
              </div>
              {selected.tracks === null ? (
                <SkeletonRows count={4} />
              ) : selected.tracks.length === 0 ? (
                <p className="empty-hint">No tracks found for {selected.artist}.</p>
              ) : (
                <ul className="track-list compact" data-testid="artist-tracks">
                  {selected.tracks.map((t) => (
                    <TrackRow key={t.id} track={t} testId="artist-track" />
                  ))}
                </ul>
              )}
            </>
          )}
        </aside>
      </div>
    </section>
  );
}

interface ClusterProps {
  info: ChartInfo;
  theme: ChartTheme;
  highlight: TrackSummary | null;
  onClear: () => void;
}

function ClusterSection({ info, theme, highlight, onClear }: ClusterProps) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (highlight) ref.current?.scrollIntoView({ block: 'start' });
  }, [highlight]);
  return (
    <section className="explore-section" ref={ref} data-testid="cluster-section">
      <h2 className="explore-h2">The cluster map</h2>
      {highlight && (
        <p className="explore-highlight" data-testid="cluster-highlight">
          Showing <strong>{highlight.name}</strong> by {highlight.artists.join(', ')} on the map.{' '}
          <button type="button" className="btn btn-ghost btn-small" onClick={onClear}>
            Clear
          </button>
        </p>
      )}
      <div className="explore-grid explore-grid-wide">
        <ExploreChart key={highlight?.id ?? ''} info={info} theme={theme} highlight={highlight?.id} />
      </div>
    </section>
  );
}
