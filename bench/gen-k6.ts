/** Writes bench/k6/scenarios.json from bench/scenarios.ts. Usage: `npx tsx bench/gen-k6.ts`. */
import { writeFileSync } from 'node:fs';
import { K6_DOCUMENT_PATH, renderK6Document } from './k6-document.js';

writeFileSync(K6_DOCUMENT_PATH, renderK6Document());
console.log(`wrote ${K6_DOCUMENT_PATH}`);
