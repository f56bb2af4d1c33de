/** k6 scenario "hello-python" (defined in bench/scenarios.ts); usage and environment in ./lib.ts. */
import { scenarioScript } from './lib.ts';

const script = scenarioScript('hello-python');
export const { options, handleSummary } = script;
export default script.iteration;
