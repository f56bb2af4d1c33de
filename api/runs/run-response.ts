import { decodeFailure } from '../../worker/contract/failure.js';
import type { RunSnapshot } from '../plugins/submission-queue.js';
import type { RunResponse } from '../schemas/run.js';

/**
 * The wire body for a run: `{ id, state }` while queued or running; once done, the RunResult spread
 * in; a run that failed after all attempts reads as done with status INTERNAL_ERROR and `errorCode`,
 * decoded again from what the port gave: one of ours, never free text from the failure.
 */
export function toRunResponse(id: string, snapshot: RunSnapshot): RunResponse {
  if (snapshot.state !== 'done') return { id, state: snapshot.state };
  if (snapshot.result !== undefined) return { ...snapshot.result, id, state: 'done' };
  const body: RunResponse = { id, state: 'done', status: 'INTERNAL_ERROR', errorCode: decodeFailure(snapshot.failedCode) };
  if (snapshot.language !== undefined) body.language = snapshot.language;
  if (snapshot.version !== undefined) body.version = snapshot.version;
  return body;
}
