import { useEffect, useState } from 'react';
import type { Session, SessionStatus } from '../session';
import { artGradient, listenerDisplayName } from '../format';

interface ListenerCardProps {
  session: Session | null;
  status: SessionStatus;
  /** Deletes the listener; resolves false when nothing was deleted. */
  onForget: () => Promise<boolean>;
  onRetry: () => void;
  /** Opens "Tell us how you listen" (optional onboarding questions). */
  onOnboarding?: () => void;
}

type ForgetStep = 'idle' | 'confirm' | 'working';
interface ForgetResult {
  ok: boolean;
  text: string;
}

/** How long the "forgotten" message stays up: long enough to read twice. */
const RESULT_MS = 12_000;

function Counts({ session }: { session: Session }) {
  const counts: [string, string, number][] = [
    ['play', 'Plays', session.counts.play],
    ['like', 'Likes', session.counts.like],
    ['skip', 'Skips', session.counts.skip],
    ['dislike', 'Dislikes', session.counts.dislike],
  ];
  return (
    <dl className="listener-counts">
      {counts.map(([kind, label, n]) => (
        <div key={kind} data-testid={`count-${kind}`}>
          <dt>{label}</dt>
          <dd>{n}</dd>
        </div>
      ))}
    </dl>
  );
}

function ForgetConfirm({ busy, onYes, onNo }: { busy: boolean; onYes: () => void; onNo: () => void }) {
  return (
    <div className="forget-confirm" role="alertdialog" aria-labelledby="forget-q" data-testid="forget-confirm">
      <p id="forget-q">
        Delete your plays, likes and skips from this server? Your recommendations start over. This can’t be undone.
      </p>
      <div className="forget-buttons">
        <button type="button" className="btn btn-danger btn-small" data-testid="forget-yes" disabled={busy} onClick={onYes}>
          {busy ? 'Deleting…' : 'Delete'}
        </button>
        <button type="button" className="btn btn-ghost btn-small" data-testid="forget-no" disabled={busy} onClick={onNo} autoFocus>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function ListenerCard({ session, status, onForget, onRetry, onOnboarding }: ListenerCardProps) {
  const [step, setStep] = useState<ForgetStep>('idle');
  const [result, setResult] = useState<ForgetResult | null>(null);

  useEffect(() => {
    if (!result) return;
    const timer = window.setTimeout(() => setResult(null), RESULT_MS);
    return () => window.clearTimeout(timer);
  }, [result]);

  const confirm = async () => {
    setStep('working');
    const ok = await onForget();
    setStep('idle');
    setResult(
      ok
        ? { ok, text: 'Done: your listening history was deleted. You’re starting fresh as a new listener.' }
        : { ok, text: 'Nothing was deleted — segue couldn’t be reached. Try again in a moment.' },
    );
  };

  const name = session ? listenerDisplayName(session.id, session.name) : null;
  return (
    <div className="listener-card" data-testid="listener">
      {session ? (
        <>
          <div className="listener-head">
            <span className="avatar" style={{ background: artGradient(session.id) }} aria-hidden="true">
              {(name ?? 'L').replace(/^Listener\s+/, '').slice(0, 2).toUpperCase()}
            </span>
            <div>
              <div className="listener-name" data-testid="listener-name">
                {name}
              </div>
              <div className="listener-sub">Listening on this device</div>
            </div>
          </div>
          <Counts session={session} />
          {onOnboarding && (
            <button type="button" className="btn btn-ghost btn-small btn-block" data-testid="onboarding-open-card" onClick={onOnboarding}>
              Tell us how you listen
            </button>
          )}
        </>
      ) : status === 'error' ? (
        <>
          <div className="listener-sub">Couldn’t connect.</div>
          <button type="button" className="btn btn-ghost btn-small btn-block" onClick={onRetry}>
            Try again
          </button>
        </>
      ) : (
        <div className="listener-head">
          <span className="avatar sk" aria-hidden="true" />
          <div className="listener-sub">Connecting…</div>
        </div>
      )}
      {step !== 'idle' ? (
        <ForgetConfirm busy={step === 'working'} onYes={confirm} onNo={() => setStep('idle')} />
      ) : (
        session && (
          <button
            type="button"
            className="btn btn-ghost btn-small btn-block"
            data-testid="forget-me"
            onClick={() => {
              setResult(null);
              setStep('confirm');
            }}
          >
            Forget me
          </button>
        )
      )}
      {result && (
        <p className={`forget-result${result.ok ? '' : ' is-error'}`} role="status" data-testid="forget-result">
          {result.text}
        </p>
      )}
    </div>
  );
}
