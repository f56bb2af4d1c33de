/** k6 scenario "limits-mix" (defined in bench/scenarios.ts); usage and environment in ./lib.ts. */
import { scenarioScript } from './lib.ts';

const script = scenarioScript('limits-mix');
export const { options, handleSummary } = script;
export default script.iteration;
