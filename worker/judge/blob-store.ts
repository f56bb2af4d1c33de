/**
 * Test-set blobs read by the worker: one Redis GET per blob (run-tests.ts caches per job).
 * Layout in worker/contract/testset.ts.
 */
import type { Redis } from 'ioredis';
import { BulkheadError } from '../contract/errors.js';
import { CONTENT_REF_PATTERN, blobKey } from '../contract/testset.js';
import type { ResolveBlob } from './run-tests.js';

const REF = new RegExp(CONTENT_REF_PATTERN);

/**
 * A ResolveBlob over `redis`. A missing blob (expired test set) throws SBX_ERR_TESTSET_UNKNOWN: the
 * run cannot be judged, and after its attempts it fails with that code (INTERNAL_ERROR + errorCode).
 */
export function redisBlobResolver(redis: Redis): ResolveBlob {
  return async (ref) => {
    if (!REF.test(ref)) throw new BulkheadError('SBX_ERR_TESTSET_UNKNOWN', 'A test reference is not a content address');
    const blob = await redis.getBuffer(blobKey(ref));
    if (blob === null) throw new BulkheadError('SBX_ERR_TESTSET_UNKNOWN', `Test-set blob ${ref} is gone (expired or never stored)`);
    return blob;
  };
}

/** The ResolveBlob of a processor without a blob store: every test-set reference fails as our fault. */
export const missingBlobStore: ResolveBlob = async (ref) => {
  throw new BulkheadError('SBX_ERR_INTERNAL', `No blob store is wired on this worker (ref ${ref})`);
};
