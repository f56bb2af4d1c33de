import { fileURLToPath } from 'node:url';

/** The repository's images/ directory (recipes and manifests). */
export const IMAGES_DIR = fileURLToPath(new URL('../../images/', import.meta.url));
