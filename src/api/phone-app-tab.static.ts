import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_PORTAL_DIR } from './portal.static.js';

/**
 * The hosts Teams runs tabs in (web, desktop and mobile clients, Microsoft 365 and Outlook), from Microsoft's
 * "Content Security Policy for tabs": the tab may be framed by these and by nothing else.
 */
const TEAMS_FRAME_ANCESTORS = [
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://teams.cloud.microsoft',
  'https://*.cloud.microsoft',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://*.microsoft365.com',
  'https://*.skype.com',
];

const TAB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  `frame-ancestors 'self' ${TEAMS_FRAME_ANCESTORS.join(' ')}`,
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the Phone App's Teams tab (the manifest's static tab `contentUrl`, built from web/phone-app/tab.html)
 * at `/phone-app/tab`, framable by Teams' hosts only. Registered before the portal's catch-all.
 */
export function registerPhoneAppTab(app: FastifyInstance, options: { root?: string } = {}): void {
  const root = options.root ?? DEFAULT_PORTAL_DIR;
  app.get('/phone-app/tab', { schema: { hide: true } }, async (_request, reply) => {
    if (!existsSync(path.join(root, 'phone-app', 'tab.html')))
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The Phone App tab has not been built: run `npm run build:portal`.');
    return reply
      .header('content-security-policy', TAB_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-cache')
      .sendFile('phone-app/tab.html', root, { cacheControl: false });
  });
}
