import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import { duration, resultText, when } from './call-format.js';
import type { CallDetail } from './call-types.js';
import { ladderTextUrl, useCall, useLadder } from './calls-queries.js';
import { LadderDiagram } from './ladder-diagram.js';

/** One call: what to do when it failed (advice), its details, and its SIP ladder ("Debug Output"). */
export function CallPage({ accountId, callId }: { accountId: string; callId: string }) {
  const call = useCall(accountId, callId);
  if (call.isPending) return <Loading label="Loading the call" />;
  if (call.isError) return <ErrorNotice error={call.error} />;
  const c = call.data;
  return (
    <section className="page">
      <p className="eyebrow">
        {c.userId ? <Link to={`/accounts/${accountId}/users/${c.userId}`}>The user's calls</Link> : 'Calls'}
      </p>
      <PageTitle title={`Call from ${c.from} to ${c.to}`}>
        Call from <span className="mono">{c.from}</span> to <span className="mono">{c.to}</span>
      </PageTitle>
      <p className={c.failed ? 'call-result call-failed' : 'call-result'}>
        {resultText(c)} · {when(c.startedAt)}
      </p>
      {c.advice && <Advice advice={c.advice} />}
      <div className="columns">
        <Details call={c} />
        <Legs call={c} />
      </div>
      <DebugOutput accountId={accountId} call={c} />
    </section>
  );
}

function Advice({ advice }: { advice: NonNullable<CallDetail['advice']> }) {
  return (
    <section className="notice notice-warn" aria-labelledby="advice-heading">
      <h2 id="advice-heading">Failure Advice</h2>
      <p>
        <strong>{advice.title}</strong>
      </p>
      <ol>
        {advice.steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      <p>
        <Link to={advice.fix.path}>Open what to fix</Link>
      </p>
    </section>
  );
}

function Details({ call }: { call: CallDetail }) {
  const m = call.media;
  return (
    <section className="card" aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <dl className="facts">
        <dt>Direction</dt>
        <dd>{call.direction === 'pbx-to-teams' ? 'PBX → Teams' : 'Teams → PBX'}</dd>
        <dt>Started</dt>
        <dd>{when(call.startedAt)}</dd>
        <dt>Rang</dt>
        <dd>{call.ringingAt ? when(call.ringingAt) : '—'}</dd>
        <dt>Answered</dt>
        <dd>{call.answeredAt ? when(call.answeredAt) : '—'}</dd>
        <dt>Ended</dt>
        <dd>{when(call.endedAt)}</dd>
        <dt>Talk time</dt>
        <dd>{duration(call.durationMs)}</dd>
        <dt>Refused by</dt>
        <dd>{call.refusedBy ?? '—'}</dd>
        <dt>Q.850 cause</dt>
        <dd>{call.q850Cause ?? '—'}</dd>
        <dt>Microsoft proxy</dt>
        <dd className="mono">{call.proxy ?? '—'}</dd>
        <dt>Codec</dt>
        <dd>{call.codec ?? '—'}</dd>
        <dt>Transfers</dt>
        <dd>{call.transfers.length > 0 ? call.transfers.join(', ') : '—'}</dd>
        <dt>Media</dt>
        <dd>
          {m
            ? `packets PBX ${m.packets.pbx ?? '—'} / Teams ${m.packets.teams ?? '—'}` +
              (m.lost ? `, lost ${m.lost.pbx ?? 0} / ${m.lost.teams ?? 0}` : '') +
              (m.jitterMs ? `, jitter ${m.jitterMs.pbx ?? '—'} / ${m.jitterMs.teams ?? '—'} ms` : '') +
              (m.mos !== undefined ? `, MOS ${m.mos}` : '')
            : '—'}
        </dd>
      </dl>
    </section>
  );
}

function Legs({ call }: { call: CallDetail }) {
  return (
    <section className="card" aria-labelledby="legs-heading">
      <h2 id="legs-heading">Legs</h2>
      <dl className="facts">
        {call.legs.map((leg, i) => (
          <div key={i}>
            <dt>{leg.side === 'pbx' ? 'PBX leg' : 'Teams leg'}</dt>
            <dd>
              {leg.finalStatus ?? '—'} {leg.reason ?? ''} {leg.peer ? `· ${leg.peer}` : ''}
              {leg.hungUpBy ? ` · hung up by ${leg.hungUpBy}` : ''}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function DebugOutput({ accountId, call }: { accountId: string; call: CallDetail }) {
  const ladder = useLadder(accountId, call.id, call.hasLadder);
  return (
    <section className="card call-debug" aria-labelledby="debug-heading">
      <h2 id="debug-heading">Debug Output</h2>
      {!call.hasLadder ? (
        <p className="muted">
          No SIP ladder was kept for this call: ladders are kept for failed calls and for users under capture.
        </p>
      ) : ladder.isPending ? (
        <Loading label="Loading the ladder" />
      ) : ladder.isError ? (
        <ErrorNotice error={ladder.error} />
      ) : (
        <>
          <p className="muted">
            Secrets (digest responses, SRTP keys, tokens) were removed. Click a message to see it whole.{' '}
            <a href={ladderTextUrl(accountId, call.id)} download>
              Download as text
            </a>
          </p>
          <LadderDiagram entries={ladder.data.items} />
        </>
      )}
    </section>
  );
}
