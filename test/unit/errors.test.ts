import { describe, expect, it } from 'vitest';
import { BulkheadError, ErrorCodes, isClientFault, isErrorCode } from '../../worker/contract/errors.js';

const entries = Object.entries(ErrorCodes);

describe('error catalogue', () => {
  it('has a code equal to its key for every entry, all unique, all named SBX_ERR_*', () => {
    for (const [key, info] of entries) {
      expect(info.code).toBe(key);
      expect(key).toMatch(/^SBX_ERR_[A-Z0-9_]+$/);
    }
    expect(new Set(entries.map(([, info]) => info.code)).size).toBe(entries.length);
  });
  it('maps client faults to 4xx (or 503 for backpressure) and service faults to 5xx', () => {
    for (const [key, info] of entries) {
      if (info.fault === 'client') {
        expect(info.httpStatus === 503 && key === 'SBX_ERR_QUEUE_FULL' ? true : info.httpStatus >= 400 && info.httpStatus < 500, key).toBe(true);
      } else {
        expect(info.httpStatus, key).toBeGreaterThanOrEqual(500);
        expect(info.httpStatus, key).toBeLessThan(600);
      }
      expect(info.description.length, key).toBeGreaterThan(0);
    }
  });
  it('classifies faults by code', () => {
    expect(isClientFault('SBX_ERR_VALIDATION')).toBe(true);
    expect(isClientFault('SBX_ERR_CGROUP_SETUP')).toBe(false);
    expect(isClientFault('SBX_ERR_NO_SUCH_CODE')).toBe(false);
  });
  it('recognises catalogue codes only (not inherited names, not other values)', () => {
    for (const [key] of entries) expect(isErrorCode(key), key).toBe(true);
    for (const value of ['SBX_ERR_NO_SUCH_CODE', 'toString', '__proto__', 'sbx_err_validation', '', 42, undefined, null]) {
      expect(isErrorCode(value), String(value)).toBe(false);
    }
  });
  it('builds BulkheadError with the code, the cause and the name', () => {
    const cause = new Error('inner');
    const err = new BulkheadError('SBX_ERR_CONFIG', 'bad', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'SBX_ERR_CONFIG', name: 'BulkheadError', message: 'bad', cause });
  });
});
