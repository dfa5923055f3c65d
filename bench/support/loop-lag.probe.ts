/**
 * What the SIP agent's timers feel while something else runs on the event loop: Node's event-loop delay histogram
 * (perf_hooks.monitorEventLoopDelay, 10 ms resolution) and the lateness of a 50 ms interval timer, the kind the
 * registration agent uses for its refresh and pacing timers.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopLag {
  /** Worst lateness of the 50 ms interval timer, ms. */
  maxTimerLagMs: number;
  /** Event-loop delay histogram: max and p99, ms. */
  maxLoopDelayMs: number;
  p99LoopDelayMs: number;
  /** How many times the 50 ms timer fired. */
  ticks: number;
}

/**
 * Start measuring; `stop()` gives the figures since `start`.
 * @example const probe = startLoopLagProbe(); await work(); const lag = probe.stop();
 */
export function startLoopLagProbe(): { stop(): LoopLag } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const period = 50;
  let expected = performance.now() + period;
  let maxTimerLagMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxTimerLagMs = Math.max(maxTimerLagMs, now - expected);
    expected = now + period;
    ticks += 1;
  }, period);
  return {
    stop() {
      clearInterval(timer);
      histogram.disable();
      // One last reading: a block still running when stop() is called counts too.
      maxTimerLagMs = Math.max(maxTimerLagMs, performance.now() - expected);
      return {
        maxTimerLagMs: Math.round(maxTimerLagMs),
        maxLoopDelayMs: Math.round(histogram.max / 1e6),
        p99LoopDelayMs: Math.round(histogram.percentile(99) / 1e6),
        ticks,
      };
    },
  };
}
