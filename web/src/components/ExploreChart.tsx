import { useEffect, useRef, useState } from 'react';
import { isAbort } from '../api';
import { chartsApi, type ChartInfo, type ChartSpec, type ChartTheme } from '../api-charts';
import { humanError } from '../errors';
import type { EmbedResult } from './ExploreEmbed';

/** How far below the fold a chart starts loading: about one panel, so scrolling rarely meets an empty box. */
const PRELOAD_MARGIN = '400px';

/** Set on the first chart drawn, for the browser test's time-to-first-chart. */
export const FIRST_CHART_MARK = 'segue:first-chart';

/**
 * Charts are drawn one after another, each in a task of its own, so the first is painted without waiting for
 * the others (drawn all at once, seven charts kept a loaded 2-core machine's page busy for seconds). Of the
 * charts waiting, the one with the fewest data rows goes next: a 5,000-point map arriving first no longer holds
 * back the small charts beside it.
 */
const waiting: { rows: number; run: () => void }[] = [];
let busy = false;
function inTurn<T>(rows: number, draw: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    waiting.push({ rows, run: () => draw().then(resolve, reject).finally(next) });
    if (!busy) next();
  });
}
function next(): void {
  busy = waiting.length > 0;
  if (!busy) return;
  let best = 0;
  for (let i = 1; i < waiting.length; i++) if (waiting[i].rows < waiting[best].rows) best = i;
  const [turn] = waiting.splice(best, 1);
  afterPaint(turn.run);
}

/** Runs `fn` once the page has had a chance to paint what is drawn so far (or after 100 ms in a hidden tab). */
function afterPaint(fn: () => void): void {
  let done = false;
  const once = () => {
    if (!done) (done = true), fn();
  };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 100);
}

/** How many data rows a spec carries inline, in all its datasets: a rough cost of drawing it. */
function dataRows(spec: unknown): number {
  let rows = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'values' && Array.isArray(value)) rows += value.length;
      else if (typeof value === 'object') visit(value);
    }
  };
  visit(spec);
  return rows;
}

type ChartState = 'waiting' | 'loading' | 'ready' | 'failed';

interface ExploreChartProps {
  info: ChartInfo;
  theme: ChartTheme;
  /** A track id the server marks on the chart (charts of tracks that can place one). */
  highlight?: string;
  /** Changes the spec before drawing (interaction the page adds, a highlighted track). */
  prepare?: (spec: ChartSpec) => ChartSpec;
  /** The drawn view, for listeners (clicks on the network). */
  onView?: (result: EmbedResult) => void;
  /** Shown while the server computes it, for charts that take long the first time. */
  slowNote?: string;
  className?: string;
  children?: React.ReactNode;
}

/** One chart of GET /api/charts, fetched once it nears the screen and drawn live with vega-embed. */
export function ExploreChart({ info, theme, highlight, prepare, onView, slowNote, className, children }: ExploreChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  const [state, setState] = useState<ChartState>('waiting');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el || visible) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), { rootMargin: PRELOAD_MARGIN });
    io.observe(el);
    return () => io.disconnect();
  }, [visible]);

  useEffect(() => {
    const el = box.current;
    if (!visible || !el) return;
    const ctl = new AbortController();
    let result: EmbedResult | null = null;
    setState('loading');
    Promise.all([chartsApi.spec(info.name, theme, ctl.signal, highlight), import('./ExploreEmbed')])
      .then(async ([spec, { drawChart }]) => {
        const drawn = await inTurn(dataRows(spec), () => (ctl.signal.aborted ? Promise.resolve(null) : drawChart(el, prepare ? prepare(spec) : spec)));
        if (!drawn) return;
        result = drawn;
        if (ctl.signal.aborted) return drawn.finalize();
        if (performance.getEntriesByName(FIRST_CHART_MARK).length === 0) performance.mark(FIRST_CHART_MARK);
        setState('ready');
        onView?.(result);
      })
      .catch((err: unknown) => {
        if (isAbort(err) || ctl.signal.aborted) return;
        setError(humanError(err).message);
        setState('failed');
      });
    return () => {
      ctl.abort();
      result?.finalize();
      el.replaceChildren();
    };
  }, [visible, info.name, theme, highlight, prepare, onView]);

  return (
    <figure className={`explore-chart${className ? ` ${className}` : ''}`} data-chart={info.name} data-state={state} data-testid="explore-chart">
      <div className="explore-chart-draw" ref={box} aria-label={info.title} role="img" />
      {state !== 'ready' && state !== 'failed' && (
        <div className="explore-chart-wait" aria-hidden="true">
          <span className="sk sk-line" style={{ width: '55%' }} />
          {slowNote && state === 'loading' && <p className="panel-hint">{slowNote}</p>}
        </div>
      )}
      {state === 'failed' && <p className="empty-hint">{error ?? 'This chart could not be drawn.'}</p>}
      <figcaption className="explore-caption">{info.description}</figcaption>
      {children}
    </figure>
  );
}
