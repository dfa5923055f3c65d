import type { SipRequest } from '../sip/message/sip-message.js';

/**
 * The Teams-versus-PBX voicemail race (CALLS.md "What people complain about"): the user's desk phone and Teams
 * both ring, and whichever voicemail answers first takes the message. The service settings offer two ways out:
 * a delay before Teams rings (the PBX's no-answer handling wins), and a switch for calls the PBX forwards on no
 * answer (to Teams, or refused so that the PBX's own voicemail takes them).
 */

/**
 * True when the PBX forwarded this call because nobody answered: a Diversion with `reason=no-answer`
 * (RFC 5806, what most PBXs send), or a History-Info entry with `cause=408` or `480` (RFC 4458, the
 * voicemail-URI convention). A bare `Diversion` without a reason is some other forward (unconditional, busy).
 */
export function forwardedOnNoAnswer(request: SipRequest): boolean {
  for (const diversion of request.headers.getAll('Diversion'))
    if (/;\s*reason\s*=\s*"?no-answer"?/i.test(diversion)) return true;
  for (const entry of request.headers.getAll('History-Info'))
    if (/[;?&]cause=(408|480)\b/i.test(entry)) return true;
  return false;
}

/**
 * Wait `ms` before ringing Teams, or less when `signal` aborts (the caller cancelled, the ring timeout ran out).
 *
 * @example await waitBeforeTeams(user.settings.teamsRingDelayMs, giveUp.signal);
 */
export function waitBeforeTeams(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
