import type { Because } from '../api';
import { featureScale, formatFeature, normalise } from '../format';

const pctWidth = (x: number) => `${Math.max(2, Math.round(x * 100))}%`;

/** Tiny paired bars: the seed's value (muted) over this track's value (accent). */
export function BecauseBars({ because, max = 4 }: { because: Because[]; max?: number }) {
  if (!because.length) return null;
  return (
    <ul className="because" aria-label="Matching audio features">
      {because.slice(0, max).map((b) => {
        const scale = featureScale(b.feature, b.seed, b.track);
        const seedPos = normalise(b.feature, b.seed, b.track);
        const trackPos = normalise(b.feature, b.track, b.seed);
        const title = `${scale.label}: seed ${formatFeature(b.feature, b.seed)} · this ${formatFeature(b.feature, b.track)}`;
        return (
          <li key={b.feature} className="because-item" title={title}>
            <span className="because-name">{scale.short}</span>
            <span className="because-bars" aria-label={title}>
              <span className="bar bar-seed">
                <span style={{ width: pctWidth(seedPos) }} />
              </span>
              <span className="bar bar-track">
                <span style={{ width: pctWidth(trackPos) }} />
              </span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** One labelled bar for a feature, used in the track drawer. */
export function FeatureMeter({ feature, value }: { feature: string; value: number }) {
  const scale = featureScale(feature, value);
  const pos = normalise(feature, value);
  return (
    <div className="meter" title={`${scale.label}: ${formatFeature(feature, value)}`}>
      <div className="meter-head">
        <span>{scale.label}</span>
        <span className="meter-value">{formatFeature(feature, value)}</span>
      </div>
      <div className="meter-track">
        <div className="meter-fill" style={{ width: pctWidth(pos) }} />
      </div>
    </div>
  );
}
