import { ErrorCodes } from '../../worker/contract/errors.js';
import type { RunSnapshot } from '../plugins/submission-queue.js';
import type { RunResponse } from '../schemas/run.js';

/** Code reported for a run that failed after all attempts without a recognisable catalogue code. */
export const RUN_LOST_CODE = 'SBX_ERR_RUN_LOST';

/** Keeps a failed run's code only when it is one of ours: never free text from the failure. */
function safeFailedCode(code: string | undefined): string {
  return code !== undefined && Object.hasOwn(ErrorCodes, code) ? code : RUN_LOST_CODE;
}

/**
 * The wire body for a run: `{ id, state }` while queued or running; once done, the RunResult spread
 * in; a run that failed after all attempts reads as done with status INTERNAL_ERROR and `errorCode`.
 */
export function toRunResponse(id: string, snapshot: RunSnapshot): RunResponse {
  if (snapshot.state !== 'done') return { id, state: snapshot.state };
  if (snapshot.result !== undefined) return { ...snapshot.result, id, state: 'done' };
  const body: RunResponse = { id, state: 'done', status: 'INTERNAL_ERROR', errorCode: safeFailedCode(snapshot.failedCode) };
  if (snapshot.language !== undefined) body.language = snapshot.language;
  if (snapshot.version !== undefined) body.version = snapshot.version;
  return body;
}
