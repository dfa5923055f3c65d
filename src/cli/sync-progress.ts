import cliProgress from 'cli-progress';

/** Where a sync stands, as the runner records it on its job (phase, and done/of while applying). */
export type SyncProgress = Record<string, unknown>;

/** Shows a running sync's progress: a bar on a terminal, JSON lines with --json, nothing otherwise. */
export interface ProgressView {
  update(progress: SyncProgress): void;
  stop(): void;
}

const phaseLabels: Record<string, string> = {
  queued: 'Queued',
  reading: 'Reading the tenant',
  planning: 'Planning',
  applying: 'Applying changes',
  adding: 'Adding new users',
};

/** A terminal progress bar (cli-progress) on stderr, so stdout stays the result. */
export function barView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  const bar = new cliProgress.SingleBar(
    { format: '{phase} [{bar}] {value}/{total}', stream, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(0, 0, { phase: phaseLabels['queued'] });
  return {
    update(progress) {
      const phase = typeof progress['phase'] === 'string' ? progress['phase'] : 'queued';
      const of = Number(progress['of'] ?? progress['changes'] ?? progress['tenantUsers'] ?? 0);
      const done = Number(progress['done'] ?? 0);
      bar.setTotal(of);
      bar.update(Math.min(done, of), { phase: phaseLabels[phase] ?? phase });
    },
    stop: () => bar.stop(),
  };
}

/** One JSON line per progress change, on stdout. */
export function jsonLinesView(write: (line: string) => void): ProgressView {
  let last = '';
  return {
    update(progress) {
      const line = JSON.stringify({ event: 'progress', ...progress });
      if (line !== last) write(line);
      last = line;
    },
    stop: () => undefined,
  };
}

/** Shows nothing (stdout is not a terminal and JSON was not asked for: the log is printed at the end). */
export const silentView: ProgressView = { update: () => undefined, stop: () => undefined };
