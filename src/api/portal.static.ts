import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:portal` (bin/build-portal.js) writes the portal. */
export const DEFAULT_PORTAL_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'web',
  'dist',
);

// The built portal has no inline script or style: allow only our own origin.
const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the portal (the Vite build in web/dist) at `/`: files as they are (hashed assets cached for a year),
 * and index.html for every other path outside /api so that links into the single-page app work. When the portal
 * has not been built, `/` answers a page that says how to build it. The directory is looked at per request, so
 * a build made while the server runs is picked up.
 *
 * @example await registerPortal(app); // in buildServer, after the API routes
 */
export async function registerPortal(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? DEFAULT_PORTAL_DIR;
  await app.register(fastifyStatic, { root, serve: false });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => servePortal(root, request, reply));
}

async function servePortal(
  root: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const pathname = decodePath(request.url.split('?')[0] ?? '/');
  if (pathname === undefined || pathname === '/api' || pathname.startsWith('/api/')) return notFound(reply);
  if (!existsSync(path.join(root, 'index.html'))) return notBuilt(reply, root);
  const file = existingFile(root, pathname);
  if (file) {
    const hashed = file.startsWith('assets/');
    reply.header('x-content-type-options', 'nosniff');
    return reply.sendFile(file, hashed ? { maxAge: '365d', immutable: true } : { maxAge: 0 });
  }
  // A missing asset is a 404, not the app: a stale tab asking for an old chunk must not get HTML.
  if (pathname.startsWith('/assets/') || path.extname(pathname) !== '') return notFound(reply);
  reply
    .header('content-security-policy', PORTAL_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-cache');
  return reply.sendFile('index.html', { cacheControl: false });
}

/** The API's own not-found answer (JSON), so /api paths and missing files look like any other 404. */
function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

function decodePath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The path relative to root when it names a file inside root (never outside it), else undefined. */
function existingFile(root: string, pathname: string): string | undefined {
  const relative = path.posix.normalize(pathname).replace(/^\/+/, '');
  if (relative === '' || relative === 'index.html' || relative.startsWith('..')) return undefined;
  const full = path.resolve(root, relative);
  if (!full.startsWith(root + path.sep)) return undefined;
  try {
    return statSync(full).isFile() ? relative : undefined;
  } catch {
    return undefined;
  }
}

function notBuilt(reply: FastifyReply, root: string): FastifyReply {
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Callbridge: portal not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The portal has not been built yet</h1>
<p>The API is running, but there is no portal in <code>${escapeHtml(root)}</code>.</p>
<p>Build it with <code>npm run build:portal</code> (or start the server with <code>npm start</code>, which builds
it first), then reload this page.</p>
<p>The API and its documentation are available now at <a href="/api/docs">/api/docs</a>.</p>
</body></html>`;
  return reply
    .status(503)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
