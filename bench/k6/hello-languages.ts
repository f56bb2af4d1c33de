/** k6 scenario "hello-languages" (defined in bench/scenarios.ts); usage and environment in ./lib.ts. */
import { scenarioScript } from './lib.ts';

const script = scenarioScript('hello-languages');
export const { options, handleSummary } = script;
export default script.iteration;
