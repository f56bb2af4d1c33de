/** k6 scenario "batch" (defined in bench/scenarios.ts); usage and environment in ./lib.ts. */
import { scenarioScript } from './lib.ts';

const script = scenarioScript('batch');
export const { options, handleSummary } = script;
export default script.iteration;
