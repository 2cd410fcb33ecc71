import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { isAbort } from '../api';
import { moodsApi, type OnboardingAnswers } from '../api-moods';
import { CloseIcon } from './Icons';
import '../moods.css';

/**
 * The questions the form asks, in its order and in everyday words: the questionnaire's music questions (its
 * podcast, plan and personal ones stay out; answering them would not say much about how someone listens).
 * A question the server does not offer is left out; `one` questions take a single answer.
 */
const QUESTIONS: { key: string; text: string; one?: boolean }[] = [
  { key: 'music_lis_frequency', text: 'When do you usually put music on?' },
  { key: 'music_time_slot', text: 'What time of day do you listen most?' },
  { key: 'fav_music_genre', text: 'What do you like to listen to?' },
  { key: 'music_expl_method', text: 'How do you find new music?' },
  { key: 'preferred_listening_content', text: 'Music or podcasts?', one: true },
];

/** Survey answers reworded where the raw one reads oddly; the rest are shown with a capital first letter. */
const ANSWER_WORDS: Record<string, string> = {
  All: 'A bit of everything',
  'trending songs random': 'Whatever is trending',
  recommendations: 'Recommendations',
  Others: 'Somewhere else',
  Random: 'Any time',
  'leisure time': 'In my free time',
  'when cooking': 'While cooking',
  'Office hours': 'At work',
  'Study Hours': 'While studying',
  'Workout session': 'Working out',
  'While Traveling': 'On the move',
  Melody: 'Melodic songs',
  'Old songs': 'Oldies',
  classical: 'Classical',
  dance: 'Dance',
};

function answerWords(answer: string): string {
  return ANSWER_WORDS[answer] ?? answer.charAt(0).toUpperCase() + answer.slice(1);
}

/** Answers that are two answers run together in the survey ("Office hours,Study Hours") are offered one by one. */
function offered(answers: string[]): string[] {
  return answers.filter((a) => !a.includes(','));
}

const STORE_KEY = 'segue.onboarding.';

/** The answers this listener gave on this device, to show them again (the server keeps them but does not send them back). */
export function savedAnswers(listenerId: string): OnboardingAnswers {
  try {
    const raw = window.localStorage.getItem(STORE_KEY + listenerId);
    return raw ? (JSON.parse(raw) as OnboardingAnswers) : {};
  } catch {
    return {};
  }
}

function rememberAnswers(listenerId: string, answers: OnboardingAnswers): void {
  try {
    if (Object.keys(answers).length) window.localStorage.setItem(STORE_KEY + listenerId, JSON.stringify(answers));
    else window.localStorage.removeItem(STORE_KEY + listenerId);
  } catch {
    // Private mode: the answers still reach the server; they just will not be shown ticked next time.
  }
}

interface OnboardingDialogProps {
  listenerId: string;
  /** Sends the answers (PUT /api/listeners/:id/onboarding); an empty object clears them. */
  onSave: (answers: OnboardingAnswers) => Promise<void>;
  onClose: () => void;
  onError: (err: unknown) => void;
}

type Questions = { key: string; text: string; one?: boolean; answers: string[] }[];

/** "Tell us how you listen": a few optional questions whose answers suggest a mood until listening says more. */
export function OnboardingDialog({ listenerId, onSave, onClose, onError }: OnboardingDialogProps) {
  const [questions, setQuestions] = useState<Questions | null>(null);
  const [failed, setFailed] = useState(false);
  const [answers, setAnswers] = useState<OnboardingAnswers>(() => savedAnswers(listenerId));
  const [saving, setSaving] = useState(false);
  const hadAnswers = useRef(Object.keys(answers).length > 0);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const ctl = new AbortController();
    moodsApi
      .onboardingQuestions(ctl.signal)
      .then((r) => setQuestions(QUESTIONS.filter((q) => r.questions[q.key]).map((q) => ({ ...q, answers: offered(r.questions[q.key]) }))))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setFailed(true);
        onError(err);
      });
    return () => ctl.abort();
  }, [onError]);

  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const toggle = (key: string, answer: string, one?: boolean) =>
    setAnswers((prev) => {
      const had = prev[key] ?? [];
      const next = had.includes(answer) ? had.filter((a) => a !== answer) : one ? [answer] : [...had, answer];
      const rest = { ...prev };
      delete rest[key];
      return next.length ? { ...rest, [key]: next } : rest;
    });

  const save = async (given: OnboardingAnswers) => {
    setSaving(true);
    try {
      await onSave(given);
      rememberAnswers(listenerId, given);
      onClose();
    } catch (err) {
      onError(err);
      setSaving(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(answers);
  };
  const count = Object.keys(answers).length;

  return (
    <div className="drawer-layer onboarding-layer">
      <div className="drawer-backdrop" onClick={onClose} aria-hidden="true" />
      <form className="onboarding" role="dialog" aria-modal="true" aria-labelledby="onboarding-title" data-testid="onboarding" onSubmit={submit}>
        <button ref={closeRef} type="button" className="icon-btn onboarding-close" aria-label="Close" onClick={onClose}>
          <CloseIcon />
        </button>
        <h2 id="onboarding-title">Tell us how you listen</h2>
        <p className="panel-hint">
          All optional. Your answers suggest a mood until your plays and likes say more, and a mood you pick always comes first.
        </p>
        {failed ? (
          <p className="empty-hint">The questions couldn’t be loaded just now.</p>
        ) : !questions ? (
          <p className="empty-hint">Loading the questions…</p>
        ) : (
          questions.map((q) => (
            <fieldset key={q.key} className="onboarding-q" data-testid={`onboarding-q-${q.key}`}>
              <legend>{q.text}</legend>
              <div className="onboarding-answers">
                {q.answers.map((a) => {
                  const on = answers[q.key]?.includes(a) ?? false;
                  return (
                    <button
                      key={a}
                      type="button"
                      className={`onboarding-answer${on ? ' is-active' : ''}`}
                      aria-pressed={on}
                      data-testid="onboarding-answer"
                      data-answer={a}
                      onClick={() => toggle(q.key, a, q.one)}
                    >
                      {answerWords(a)}
                    </button>
                  );
                })}
              </div>
            </fieldset>
          ))
        )}
        <div className="onboarding-buttons">
          <button type="submit" className="btn btn-primary" data-testid="onboarding-save" disabled={saving || count === 0}>
            {saving ? 'Saving…' : 'Save answers'}
          </button>
          <button type="button" className="btn btn-ghost" data-testid="onboarding-skip" disabled={saving} onClick={onClose}>
            Skip for now
          </button>
          {hadAnswers.current && (
            <button type="button" className="btn btn-ghost onboarding-clear" data-testid="onboarding-clear" disabled={saving} onClick={() => void save({})}>
              Forget my answers
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
