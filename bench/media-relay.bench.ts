/**
 * Issue 17 "Measure", the media relay: (1) offer + answer + delete round trips per second through RtpengineRelay
 * against a real userspace rtpengine; (2) concurrent relayed PCMU calls (plain RTP on the PBX side, SDES-SRTP on the
 * Teams side, 20 ms packets both ways) with packets lost counted per direction and rtpengine's CPU per call.
 *
 *   node --import tsx bench/media-relay.bench.ts [--calls 2000] [--concurrency 32] [--streams 200] [--seconds 10]
 *
 * Prints a summary and one JSON line: {"bench":"media-relay", ...}. The peers run in this process, so on a small
 * machine their SRTP work competes with rtpengine for the same cores: the loss figure is an upper bound.
 */
import { readFileSync } from 'node:fs';
import { RtpPeer } from '../src/media/peer/rtp-peer.js';
import { RtpengineRelay } from '../src/media/rtpengine-relay.js';
import { RtpengineDaemon, rtpengineInstalled } from '../test/support/rtpengine-daemon.js';
import { percentile } from './support/bench-timing.js';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const CALLS = arg('calls', 2000);
const CONCURRENCY = arg('concurrency', 32);
const STREAMS = arg('streams', 200);
const SECONDS = arg('seconds', 10);

const pbxSdp = (port: number): string =>
  [
    'v=0',
    'o=pbx 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function roundTrips(relay: RtpengineRelay) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CALLS) {
        const n = next++;
        const callId = `rt-${n}`;
        const t0 = performance.now();
        await relay.offer({ callId, fromTag: 'pbx', sdp: pbxSdp(30000 + (n % 1000) * 2), toward: 'teams' });
        await relay.answer({
          callId,
          fromTag: 'pbx',
          toTag: 'teams',
          sdp: pbxSdp(32000),
          toward: 'pbx',
        });
        await relay.delete(callId);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    callsPerSecond: Math.round(CALLS / seconds),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p95Ms: Number(percentile(latencies, 95).toFixed(2)),
  };
}

async function streams(relay: RtpengineRelay, daemon: RtpengineDaemon) {
  const calls: { pbx: RtpPeer; teams: RtpPeer }[] = [];
  for (let i = 0; i < STREAMS; i += 1) {
    const pbx = await RtpPeer.open({ toneHz: 400 });
    const teams = await RtpPeer.open({ srtp: true, toneHz: 1000 });
    teams.setRemote(await relay.offer({ callId: `s-${i}`, fromTag: 'pbx', sdp: pbx.sdp(), toward: 'teams' }));
    pbx.setRemote(
      await relay.answer({
        callId: `s-${i}`,
        fromTag: 'pbx',
        toTag: 'teams',
        sdp: teams.sdp(),
        toward: 'pbx',
      }),
    );
    calls.push({ pbx, teams });
  }
  const pid = daemon.pid ?? 0;
  for (const call of calls) {
    call.pbx.start();
    call.teams.start();
  }
  await new Promise((resolve) => setTimeout(resolve, 1000)); // latching and warm-up, not measured
  const cpuBefore = cpuSeconds(pid);
  const ownBefore = process.cpuUsage();
  const before = calls.map((c) => ({ ...c.pbx.counts, t: c.teams.counts.received, ts: c.teams.counts.sent }));
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  for (const call of calls) {
    call.pbx.stop();
    call.teams.stop();
  }
  const cpuAfter = cpuSeconds(pid);
  const own = process.cpuUsage(ownBefore);
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the last packets arrive
  let sentPbx = 0;
  let receivedAtTeams = 0;
  let sentTeams = 0;
  let receivedAtPbx = 0;
  let authFailures = 0;
  calls.forEach((call, i) => {
    const start = before[i];
    if (!start) return;
    sentPbx += call.pbx.counts.sent - start.sent;
    receivedAtTeams += call.teams.counts.received - start.t;
    sentTeams += call.teams.counts.sent - start.ts;
    receivedAtPbx += call.pbx.counts.received - start.received;
    authFailures += call.teams.counts.authFailures;
  });
  for (let i = 0; i < calls.length; i += 1) {
    calls[i]?.pbx.close();
    calls[i]?.teams.close();
    await relay.delete(`s-${i}`);
  }
  const rtpengineCpuPercent = ((cpuAfter - cpuBefore) / SECONDS) * 100;
  return {
    streams: STREAMS,
    seconds: SECONDS,
    packetsPbxToTeams: sentPbx,
    lostPbxToTeams: Math.max(0, sentPbx - receivedAtTeams),
    packetsTeamsToPbx: sentTeams,
    lostTeamsToPbx: Math.max(0, sentTeams - receivedAtPbx),
    srtpAuthFailures: authFailures,
    // Nominal 50 (one per 20 ms); lower when this process's timers lag on a busy machine.
    packetsPerStreamPerSecond: Number((sentPbx / STREAMS / SECONDS).toFixed(1)),
    rtpengineCpuPercent: Number(rtpengineCpuPercent.toFixed(1)),
    rtpengineCpuPercentPerCall: Number((rtpengineCpuPercent / STREAMS).toFixed(3)),
    peersCpuPercent: Number((((own.user + own.system) / 1e6 / SECONDS) * 100).toFixed(1)),
  };
}

if (!rtpengineInstalled()) {
  process.stdout.write('rtpengine is not installed (apt-get install rtpengine-daemon): skipped\n');
  process.exit(0);
}
const daemon = await RtpengineDaemon.start({ ports: 2000 });
const relay = await RtpengineRelay.open({ target: daemon.target });
try {
  const rt = await roundTrips(relay);
  process.stdout.write(
    `offer+answer+delete: ${rt.callsPerSecond}/s at concurrency ${CONCURRENCY} (p50 ${rt.p50Ms} ms, p95 ${rt.p95Ms} ms)\n`,
  );
  const media = await streams(relay, daemon);
  process.stdout.write(
    `${media.streams} relayed PCMU calls for ${media.seconds} s: PBX->Teams ${media.lostPbxToTeams} lost of ` +
      `${media.packetsPbxToTeams}, Teams->PBX ${media.lostTeamsToPbx} lost of ${media.packetsTeamsToPbx}, ` +
      `SRTP auth failures ${media.srtpAuthFailures}, ${media.packetsPerStreamPerSecond} packets/s per stream ` +
      `and direction; rtpengine CPU ${media.rtpengineCpuPercent}% ` +
      `(${media.rtpengineCpuPercentPerCall}% per call), peers ${media.peersCpuPercent}%\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ bench: 'media-relay', concurrency: CONCURRENCY, ...rt, ...media })}\n`,
  );
} finally {
  relay.close();
  await daemon.stop();
}
