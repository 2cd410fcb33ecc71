import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort, type Credentials } from '../api';
import { FALLBACK_MOODS, MOOD_NAMES, moodsApi, type ListenerMood, type MoodInfo, type MoodName, type OnboardingAnswers } from '../api-moods';
import { moodStyle } from './MoodChip';
import { SparkIcon } from './Icons';
import '../moods.css';

type WithListener = <T>(fn: (c: Credentials) => Promise<T>) => Promise<T>;

export interface MoodState {
  /** The four moods with colours, descriptions and track counts (the library's own until the API answers). */
  moods: MoodInfo[];
  /** The listener's current mood and where it came from; null until known. */
  current: ListenerMood | null;
  /** The mood the listener picked themselves, which filters For you; null for "Any mood". */
  picked: MoodName | null;
  /** True while a pick is being stored. */
  saving: boolean;
  pick: (mood: MoodName | null) => void;
  /** Stores onboarding answers ({} clears them); the listener's mood follows what the server answers. */
  answer: (answers: OnboardingAnswers) => Promise<void>;
}

/**
 * The listener's mood: loaded when the listener changes and after new feedback (their listening mix moves),
 * stored with PUT when they pick one. A pick shows at once and is undone if the server refuses it. Answers
 * that arrive out of order are dropped, so a slow reload never overwrites a newer pick.
 */
export function useListenerMood(withListener: WithListener, listenerId: string | null, onError: (err: unknown) => void, refreshKey: number): MoodState {
  const [moods, setMoods] = useState<MoodInfo[]>(FALLBACK_MOODS);
  const [current, setCurrent] = useState<ListenerMood | null>(null);
  const [saving, setSaving] = useState(false);
  const seq = useRef(0);
  const currentRef = useRef(current);
  currentRef.current = current;

  useEffect(() => {
    const ctl = new AbortController();
    moodsApi
      .list(ctl.signal)
      .then((r) => r.moods.length && setMoods(r.moods))
      .catch(() => undefined); // The library's moods stand in; the listener's mood reports errors.
    return () => ctl.abort();
  }, []);

  useEffect(() => {
    if (!listenerId) return;
    const ctl = new AbortController();
    const mine = ++seq.current;
    withListener((c) => moodsApi.listenerMood(c, ctl.signal))
      .then((m) => mine === seq.current && setCurrent(m))
      .catch((err: unknown) => {
        if (!isAbort(err)) onError(err);
      });
    return () => ctl.abort();
  }, [listenerId, refreshKey, withListener, onError]);

  const pick = useCallback(
    (mood: MoodName | null) => {
      const before = currentRef.current;
      const mine = ++seq.current;
      if (mood) setCurrent({ mood, source: 'picked', mix: before?.mix ?? zeroMix() });
      else if (before?.source === 'picked') setCurrent({ ...before, source: 'default' });
      setSaving(true);
      withListener((c) => moodsApi.pick(c, mood))
        .then((m) => mine === seq.current && setCurrent(m))
        .catch((err: unknown) => {
          if (mine === seq.current) setCurrent(before);
          onError(err);
        })
        .finally(() => mine === seq.current && setSaving(false));
    },
    [withListener, onError],
  );

  const answer = useCallback(
    async (answers: OnboardingAnswers) => {
      const mine = ++seq.current;
      const m = await withListener((c) => moodsApi.answer(c, answers));
      if (mine === seq.current) setCurrent(m);
    },
    [withListener],
  );

  const picked = current?.source === 'picked' ? current.mood : null;
  return { moods, current, picked, saving, pick, answer };
}

function zeroMix(): Record<MoodName, number> {
  return { Happy: 0, Energetic: 0, Calm: 0, Sad: 0 };
}

/** Where the listener's mood came from, in the words the app uses. */
export function sourceLine(current: ListenerMood | null): string {
  if (!current) return 'Finding your mood…';
  const { mood, source } = current;
  switch (source) {
    case 'picked':
      return `You picked ${mood}.`;
    case 'listening':
      return `${mood}, from your recent listening.`;
    case 'onboarding':
      return `${mood}, from your answers.`;
    case 'default':
      return 'No mood yet: pick one, or play and like a few tracks and segue will notice yours.';
  }
}

/** A mood mix as one bar with a worded legend ("Lately: 60% Calm · 40% Happy"); nothing when it is all zero. */
export function MoodMix({ mix, label }: { mix: Record<MoodName, number>; label: string }) {
  const total = MOOD_NAMES.reduce((s, m) => s + (mix[m] ?? 0), 0);
  if (!(total > 0)) return null;
  const parts = MOOD_NAMES.map((m) => ({ mood: m, share: (mix[m] ?? 0) / total })).filter((p) => p.share > 0);
  const words = [...parts].sort((a, b) => b.share - a.share).map((p) => `${Math.round(p.share * 100)}% ${p.mood}`);
  return (
    <div className="mood-mix" data-testid="mood-mix">
      <span className="mood-mix-bar" aria-hidden="true">
        {parts.map((p) => (
          <span key={p.mood} style={{ ...moodStyle(p.mood), flexGrow: p.share }} />
        ))}
      </span>
      <span className="mood-mix-text">
        {label}: {words.join(' · ')}
      </span>
    </div>
  );
}

interface MoodPickerProps {
  state: MoodState;
  /** Opens "Tell us how you listen"; offered beside the source line while no mood is picked. */
  onOnboarding?: () => void;
}

/** The four moods and "Any mood": picking one stores it for the listener and filters For you. */
export function MoodPicker({ state, onOnboarding }: MoodPickerProps) {
  const { moods, current, picked, saving, pick } = state;
  return (
    <section className="panel mood-panel" aria-labelledby="mood-title" data-testid="mood-picker">
      <div className="panel-head">
        <h2 id="mood-title">
          <SparkIcon /> Mood
        </h2>
        <p className="panel-hint mood-source" data-testid="mood-source" data-source={current?.source ?? ''} role="status">
          {sourceLine(current)}
          {onOnboarding && current && picked === null && (
            <>
              {' '}
              <button type="button" className="link-btn mood-onboarding-link" data-testid="onboarding-open" onClick={onOnboarding}>
                {current.source === 'onboarding' ? 'Change your answers' : 'Tell us how you listen'}
              </button>
            </>
          )}
        </p>
      </div>
      <div className="mood-options" role="group" aria-label="Pick a mood" aria-busy={saving}>
        <button
          type="button"
          className={`mood-option mood-any${picked === null ? ' is-active' : ''}`}
          aria-pressed={picked === null}
          data-testid="mood-option-any"
          onClick={() => picked !== null && pick(null)}
        >
          <span className="mood-swatch" aria-hidden="true" />
          <span className="mood-option-name">Any mood</span>
          <span className="mood-option-desc">Everything, whatever the feel.</span>
        </button>
        {moods.map((m) => (
          <button
            key={m.name}
            type="button"
            className={`mood-option${picked === m.name ? ' is-active' : ''}`}
            style={moodStyle(m.name)}
            aria-pressed={picked === m.name}
            data-testid={`mood-option-${m.name}`}
            onClick={() => picked !== m.name && pick(m.name)}
          >
            <span className="mood-swatch" aria-hidden="true" />
            <span className="mood-option-name">
              {m.name}
              {(current?.source === 'listening' || current?.source === 'onboarding') && current.mood === m.name && (
                <span className="mood-yours"> · your mood</span>
              )}
            </span>
            <span className="mood-option-desc">{m.description}</span>
            {m.tracks > 0 && <span className="mood-option-count">{m.tracks.toLocaleString()} tracks</span>}
          </button>
        ))}
      </div>
      {current?.source === 'listening' && <MoodMix mix={current.mix} label="Lately" />}
      {current?.source === 'onboarding' && <MoodMix mix={current.mix} label="Your answers" />}
    </section>
  );
}

interface MoodFilterToggleProps {
  /** The picked mood; the toggle renders nothing without one. */
  mood: MoodName | null;
  /** True when the listener asked to see every mood in this list. */
  all: boolean;
  onChange: (all: boolean) => void;
  testId: string;
}

/** "Only Calm tracks · show all" above a list the picked mood filters, and the way back. */
export function MoodFilterToggle({ mood, all, onChange, testId }: MoodFilterToggleProps) {
  if (!mood) return null;
  return (
    <p className="panel-hint mood-filter" data-testid={testId} data-all={all} style={moodStyle(mood)}>
      <span className="mood-dot" aria-hidden="true" />
      {all ? 'All moods' : `Only ${mood} tracks`}
      {' · '}
      <button type="button" className="link-btn" data-testid={`${testId}-toggle`} onClick={() => onChange(!all)}>
        {all ? `only ${mood}` : 'show all'}
      </button>
    </p>
  );
}
