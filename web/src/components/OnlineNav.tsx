import { lazy, Suspense } from 'react';
import { SkeletonRows } from './TrackRow';

// The page is a chunk of its own, fetched on the first visit: the main page does not grow.
const OnlinePage = lazy(() => import('./OnlinePage'));

/** A gauge: the icon of "How recommendations do" in the navigation. */
function GaugeIcon() {
  return (
    <svg width={18} height={18} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M4 17a8 8 0 1 1 16 0" />
      <path d="M12 17l4-5" />
    </svg>
  );
}

export function OnlineNavButton({ active, onClick }: { active: boolean; onClick: () => void }) {
  return (
    <button type="button" className={active ? 'is-active' : undefined} aria-current={active ? 'page' : undefined} data-testid="nav-online" onClick={onClick} title="How recommendations do">
      <GaugeIcon /> Results
    </button>
  );
}

export function OnlineView({ onError }: { onError: (err: unknown) => void }) {
  return (
    <div className="content">
      <Suspense fallback={<SkeletonRows count={3} />}>
        <OnlinePage onError={onError} />
      </Suspense>
    </div>
  );
}
