/**
 * k6 scenario "hello-languages" (defined in bench/scenarios.ts). Usage:
 *   k6 run bench/k6/hello-languages.ts                                 # the scenario's default arrival
 *   k6 run -e BASE_URL=http://127.0.0.1:3000 -e RATE=100 -e DURATION=30 -e COUNT=200 bench/k6/hello-languages.ts
 */
import { optionsFor, runOne, scenarioNamed, summaryText } from './lib.ts';

const scenario = scenarioNamed('hello-languages');

export const options = optionsFor(scenario);

export default function (): void {
  runOne(scenario);
}

export function handleSummary(data: Parameters<typeof summaryText>[1]): Record<string, string> {
  return { stdout: summaryText(scenario, data) };
}
