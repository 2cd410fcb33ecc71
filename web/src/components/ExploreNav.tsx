import { lazy, Suspense } from 'react';
import type { TrackSummary } from '../api';
import { SkeletonRows } from './TrackRow';

// The Explore page and vega are a chunk of their own, fetched on the first visit: the main page does not grow.
const loadPage = () => import('./ExplorePage');
const ExplorePage = lazy(loadPage);

/** Starts fetching the page and vega when the pointer or focus reaches the link, a moment before the click. */
function prefetch(): void {
  void loadPage().catch(() => undefined);
  void import('./ExploreEmbed').catch(() => undefined);
}

/** A small bar chart, the Explore page's icon in the navigation. */
function ChartIcon() {
  return (
    <svg width={18} height={18} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M4 20h16" />
      <path d="M7 16v-5" />
      <path d="M12 16V6" />
      <path d="M17 16v-8" />
    </svg>
  );
}

export function ExploreNavButton({ active, onClick }: { active: boolean; onClick: () => void }) {
  return (
    <button type="button" className={active ? 'is-active' : undefined} aria-current={active ? 'page' : undefined} data-testid="nav-explore" onClick={onClick} onPointerEnter={prefetch} onFocus={prefetch}>
      <ChartIcon /> Explore
    </button>
  );
}

interface ExploreViewProps {
  highlight: TrackSummary | null;
  onClearHighlight: () => void;
  onError: (err: unknown) => void;
}

export function ExploreView(props: ExploreViewProps) {
  return (
    <div className="content">
      <Suspense fallback={<SkeletonRows count={3} />}>
        <ExplorePage {...props} />
      </Suspense>
    </div>
  );
}
