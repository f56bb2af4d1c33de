/**
 * Builds the scenario document the k6 scripts read (bench/k6/scenarios.json). k6 cannot import
 * this repository's TypeScript modules, so the scenarios travel as generated JSON with the request
 * bodies already built; test/unit/bench-scenarios.test.ts fails when the file drifts from
 * bench/scenarios.ts. Regenerate with `npx tsx bench/gen-k6.ts`.
 */
import { PROGRAMS, RUN_PATH, SCENARIOS, runRequestBody, type ArrivalModel, type Thresholds } from './scenarios.js';

/** One program as k6 sees it: the ready JSON body and the status it must end with. */
export interface K6Program {
  id: string;
  language: string;
  body: Record<string, unknown>;
  expectedStatus: string;
}

/** One scenario as k6 sees it. */
export interface K6Scenario {
  name: string;
  description: string;
  mix: Array<{ programId: string; weight: number }>;
  arrival: ArrivalModel;
  thresholds: Thresholds;
  maxInFlight: number;
}

/** The whole generated file. */
export interface K6Document {
  note: string;
  runPath: string;
  programs: Record<string, K6Program>;
  scenarios: K6Scenario[];
}

/** Repository-relative path of the generated file. */
export const K6_DOCUMENT_PATH = 'bench/k6/scenarios.json';

/** The document, derived only from bench/scenarios.ts (pure). */
export function buildK6Document(): K6Document {
  const programs: Record<string, K6Program> = {};
  for (const program of Object.values(PROGRAMS)) {
    programs[program.id] = {
      id: program.id,
      language: program.language,
      body: runRequestBody(program),
      expectedStatus: program.expectedStatus,
    };
  }
  return {
    note: 'Generated from bench/scenarios.ts by `npx tsx bench/gen-k6.ts`; do not edit by hand.',
    runPath: RUN_PATH,
    programs,
    scenarios: SCENARIOS.map((s) => ({
      name: s.name,
      description: s.description,
      mix: s.mix.map((m) => ({ ...m })),
      arrival: { ...s.arrival },
      thresholds: { ...s.thresholds },
      maxInFlight: s.maxInFlight,
    })),
  };
}

/** The exact file text (2-space JSON plus a final newline), shared by the generator and the drift test. */
export function renderK6Document(): string {
  return `${JSON.stringify(buildK6Document(), null, 2)}\n`;
}
