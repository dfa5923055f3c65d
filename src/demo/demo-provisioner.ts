import type { AppContext } from '../app/context.js';
import type { Actor } from '../domain/records.js';
import type { DemoExtensionBook } from './demo-extension-book.js';

const actor: Actor = { type: 'system', id: null, label: 'demo PBX', source: 'cli' };

/** How often synced users are looked for (they arrive when an administrator runs Sync). */
const EVERY_MS = 5_000;

/**
 * What the demo PBX's administrator would do for each new Teams user: create an extension (the user's number
 * without `+`) with a password and give both to Callbridge, through the users service like any administrator
 * (audited as "demo PBX"). Only users of the demo service with a number and no SIP username yet, so nothing an
 * administrator set is overwritten. Then the sip role registers them and the portal shows them green.
 *
 * @example const stop = provisionDemoUsers(ctx, accountId, serviceId, book);
 */
export function provisionDemoUsers(
  ctx: AppContext,
  accountId: string,
  serviceId: string,
  book: DemoExtensionBook,
): { runOnce(): Promise<number>; stop(): void } {
  let running = false;
  const runOnce = async (): Promise<number> => {
    if (running) return 0;
    running = true;
    let given = 0;
    try {
      const page = await ctx.services.users.list(actor, accountId, {
        serviceId,
        sort: 'phoneNumber',
        order: 'asc',
        limit: 500,
        offset: 0,
      });
      for (const user of page.items) {
        if (user.sipUsername !== null || !user.phoneNumber) continue;
        const username = user.phoneNumber.replace(/^\+/, '').replace(/;.*$/, '');
        try {
          await ctx.services.users.update(actor, accountId, user.id, {
            sipUsername: username,
            sipPassword: book.add(username),
            registrationEnabled: true,
          });
          given++;
        } catch (error) {
          // e.g. the demo's trial licences are used up: say so once per user and go on.
          ctx.logger.warn({ err: error, userId: user.id }, 'demo PBX: extension not given to the user');
        }
      }
    } finally {
      running = false;
    }
    return given;
  };
  const timer = setInterval(() => {
    void runOnce().catch((error: unknown) => ctx.logger.warn({ err: error }, 'demo PBX provisioning failed'));
  }, EVERY_MS);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
