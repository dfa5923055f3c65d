import type { SyncRun } from '../../domain/records.js';
import type { MicrosoftTenantClient } from '../../microsoft/index.js';
import type { PhoneAppInstallTarget } from '../../store/repositories/users.repository.js';
import type { Store } from '../../store/store.js';
import type { DegradedSteps } from './degraded-steps.js';
import type { SyncSay } from './sync-changes.applier.js';

/** Phone App installs (or removals) per $batch round; each chunk is recorded before the next starts. */
const INSTALL_CHUNK = 100;

type Outcome = { userId: string; ok: boolean; error?: Error };

/**
 * Installs the Phone App Teams app for Phone App users who do not have it yet and removes it from users it was
 * installed for who are no longer Phone App users (also when the Phone App was switched off). Each user is
 * recorded as soon as Microsoft confirmed, so a run that dies resumes where it stopped; "already installed"
 * (409) and "not installed" count as done, so nothing is installed twice.
 *
 * @example counters = await installPhoneApp(store, run, client, appId, true, say, degraded)
 */
export async function installPhoneApp(
  store: Store,
  run: SyncRun,
  client: MicrosoftTenantClient,
  appId: string,
  active: boolean,
  say: SyncSay,
  degraded: DegradedSteps,
): Promise<Record<string, number>> {
  const { users } = store.repos;
  const work = await users.listPhoneAppInstallWork(run.accountId, run.serviceId);
  const install = active ? work.install : [];
  if (install.length === 0 && work.remove.length === 0) return {};
  const counters = { phoneAppInstalled: 0, phoneAppRemoved: 0, phoneAppInstallErrors: 0 };
  const step = async (
    targets: PhoneAppInstallTarget[],
    installing: boolean,
    write: (ids: string[]) => Promise<Outcome[]>,
  ) => {
    const verb = installing ? 'install' : 'remove';
    for (let i = 0; i < targets.length; i += INSTALL_CHUNK) {
      const chunk = targets.slice(i, i + INSTALL_CHUNK);
      const byObject = new Map(chunk.map((t) => [t.objectId, t]));
      const outcomes = await write(chunk.map((t) => t.objectId)).catch((error: unknown) => {
        degraded.record(
          `${installing ? 'installing' : 'removing'} the Phone App in Teams`,
          error,
          `${chunk.length} user(s) are left as they were.`,
        );
        return chunk.map((t) => ({ userId: t.objectId, ok: false, error: error as Error }));
      });
      const done: string[] = [];
      for (const outcome of outcomes) {
        const target = byObject.get(outcome.userId)!;
        if (outcome.ok) {
          done.push(target.id);
          continue;
        }
        counters.phoneAppInstallErrors++;
        say(
          `Could not ${verb} the Phone App ${installing ? 'for' : 'from'} ${target.email}: ${outcome.error?.message ?? 'no reason given'}. The next sync tries again.`,
          'warn',
          target.id,
        );
      }
      await users.setPhoneAppInstalled(run.accountId, done, installing);
      if (installing) counters.phoneAppInstalled += done.length;
      else counters.phoneAppRemoved += done.length;
    }
  };
  await step(work.remove, false, (ids) => client.uninstallTeamsAppForUsers(ids, appId));
  await step(install, true, (ids) => client.installTeamsApp(ids, appId));
  if (counters.phoneAppInstalled > 0)
    say(`Installed the Phone App in Teams for ${counters.phoneAppInstalled} Phone App user(s).`);
  if (counters.phoneAppRemoved > 0)
    say(`Removed the Phone App from ${counters.phoneAppRemoved} user(s) who are no longer Phone App users.`);
  return counters;
}
