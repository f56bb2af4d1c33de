import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { BulkheadError } from '../../worker/contract/errors.js';
import { PLAYGROUND_DIST_DIR } from '../playground/paths.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * What the page may do, enforced by the browser: its own scripts only (nothing inline, no eval),
 * fetch and WebSocket to this origin only, no framing (clickjacking). Inline styles stay allowed
 * because CodeMirror writes its layout into style attributes and style elements.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page itself is revalidated on every load; hashed assets never change, so they are cached for good. */
const PAGE_CACHE = 'no-cache';
const ASSET_CACHE = 'public, max-age=31536000, immutable';

export interface PlaygroundRoutesOptions {
  /** The built page (api/playground/build.ts output). @defaultValue api/playground/dist */
  distDir?: string;
}

interface Asset {
  body: Buffer;
  contentType: string;
}

/**
 * Reads the built page once, into memory: the asset names are the whole allow-list, so a request
 * can only name a file the build wrote (no path reaches the file system, hence no traversal).
 */
async function loadAssets(distDir: string): Promise<{ page: Buffer | undefined; assets: Map<string, Asset> }> {
  const assets = new Map<string, Asset>();
  let page: Buffer | undefined;
  try {
    page = await readFile(join(distDir, 'index.html'));
    for (const entry of await readdir(join(distDir, 'assets'), { withFileTypes: true })) {
      const contentType = CONTENT_TYPES[extname(entry.name)];
      if (!entry.isFile() || contentType === undefined) continue;
      assets.set(entry.name, { body: await readFile(join(distDir, 'assets', entry.name)), contentType });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { page, assets };
}

function secure(reply: FastifyReply): FastifyReply {
  return reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
}

/**
 * GET / and GET /playground: the playground page; GET /playground/assets/:file: its bundle. Not
 * rate limited (loading a page is not running code) and public (auth.ts): a browser cannot send a
 * key with a page load, and the page holds no secret.
 */
export const playgroundRoutes: FastifyPluginAsync<PlaygroundRoutesOptions> = async (app, options) => {
  const { page, assets } = await loadAssets(options.distDir ?? PLAYGROUND_DIST_DIR);
  const routeOptions = { schema: { hide: true }, config: { rateLimit: false as const } };

  const sendPage = async (_request: unknown, reply: FastifyReply) => {
    if (page === undefined) throw new BulkheadError('SBX_ERR_NOT_FOUND', 'The playground is not built: run npm run build:playground');
    return secure(reply).type('text/html; charset=utf-8').header('cache-control', PAGE_CACHE).header('content-security-policy', CONTENT_SECURITY_POLICY).send(page);
  };
  app.get('/', routeOptions, sendPage);
  app.get('/playground', routeOptions, sendPage);
  app.get('/playground/', routeOptions, sendPage);

  app.get<{ Params: { file: string } }>('/playground/assets/:file', routeOptions, async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (asset === undefined) throw new BulkheadError('SBX_ERR_NOT_FOUND', `No playground asset ${request.params.file}`);
    return secure(reply).type(asset.contentType).header('cache-control', ASSET_CACHE).send(asset.body);
  });
};
