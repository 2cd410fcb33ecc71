import { useEffect, useState } from 'react';
import { isAbort } from '../api';
import { ANSWERS, PERIODS, fetchOnlineStats, type Answer, type OnlineFigures, type OnlineReport } from '../api-ops';
import { SkeletonRows } from './TrackRow';
import '../online.css';

const ANSWER_LABEL: Record<Answer, string> = { played: 'Played', liked: 'Liked', skipped: 'Skipped', disliked: 'Disliked' };

/** A share as a percentage: one decimal under 10% (where 2.5% and 3% differ), whole numbers above. */
export function percent(rate: number): string {
  const p = rate * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}

function Rates({ figures }: { figures: OnlineFigures }) {
  return (
    <dl className="online-rates">
      {ANSWERS.map((a) => (
        <div key={a} className="online-rate" data-answer={a}>
          <dt>{ANSWER_LABEL[a]}</dt>
          <dd>
            <span className="online-bar" aria-hidden="true">
              <span style={{ width: `${Math.min(100, figures.rates[a] * 100)}%` }} />
            </span>
            <span className="online-pct" data-testid={`rate-${a}`}>{percent(figures.rates[a])}</span>
            <span className="online-count">{figures[a].toLocaleString()}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function ModelCard({ figures }: { figures: OnlineFigures }) {
  return (
    <article className="online-model" data-testid="online-model" data-model={figures.model}>
      <header>
        <h3>{figures.model}</h3>
        <span className="count-pill" data-testid="online-shown">{figures.shown.toLocaleString()} shown</span>
      </header>
      <Rates figures={figures} />
    </article>
  );
}

function DailyTable({ rows }: { rows: OnlineReport['daily'] }) {
  return (
    <div className="online-table-wrap">
      <table className="online-table" data-testid="online-daily">
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Model</th>
            <th scope="col">Shown</th>
            {ANSWERS.map((a) => <th key={a} scope="col">{ANSWER_LABEL[a]}</th>)}
          </tr>
        </thead>
        <tbody>
          {[...rows].reverse().map((r) => (
            <tr key={`${r.day}:${r.model}`}>
              <td>{r.day}</td>
              <td>{r.model}</td>
              <td>{r.shown.toLocaleString()}</td>
              {ANSWERS.map((a) => <td key={a}>{percent(r.rates[a])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * "How recommendations do": online evaluation as Gorse shows it. Of the tracks each model put in listeners'
 * lists, the share they then played, liked, skipped or disliked, over a period and per day.
 */
export default function OnlinePage({ onError }: { onError: (err: unknown) => void }) {
  const [days, setDays] = useState<number>(7);
  const [report, setReport] = useState<OnlineReport | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setReport(null);
    fetchOnlineStats(days, ctrl.signal).then(setReport, (err) => {
      if (!isAbort(err)) onError(err);
    });
    return () => ctrl.abort();
  }, [days, onError]);

  return (
    <section className="panel online" data-testid="online-page">
      <div className="panel-head">
        <h2>How recommendations do</h2>
        <div className="online-periods" role="group" aria-label="Period">
          {PERIODS.map((d) => (
            <button key={d} type="button" className={d === days ? 'is-active' : undefined} aria-pressed={d === days} onClick={() => setDays(d)}>
              {d === 1 ? 'Today' : `${d} days`}
            </button>
          ))}
        </div>
      </div>
      <p className="panel-note">
        Of the tracks each model put in listeners’ “For you” lists{report ? ` since ${report.since}` : ''}, the share they then
        played, liked, skipped or disliked within {report?.windowHours ?? 24} hours. A track shown to a listener again the same day counts once.
      </p>
      {report === null ? (
        <SkeletonRows count={3} />
      ) : report.models.length === 0 ? (
        <p className="empty-hint" data-testid="online-empty">
          Nothing has been recommended in this period yet. Once listeners open “For you”, what they were shown and what they did with it shows here.
        </p>
      ) : (
        <>
          <div className="online-models">
            {report.models.map((m) => <ModelCard key={m.model} figures={m} />)}
          </div>
          <h3 className="online-subhead">Per day</h3>
          <DailyTable rows={report.daily} />
        </>
      )}
    </section>
  );
}
