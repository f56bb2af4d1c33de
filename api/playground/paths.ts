import { fileURLToPath } from 'node:url';

/** Where the built page lives (gitignored, written only by build.ts, served by routes/playground.ts). */
export const PLAYGROUND_DIST_DIR = fileURLToPath(new URL('./dist/', import.meta.url));
/** URL prefix of the built assets; absolute so the page works from both `/` and `/playground`. */
export const ASSETS_URL_PREFIX = '/playground/assets/';
