import { describe, expect, it } from 'vitest';
import { inInitialUserNamespace } from '../../worker/sandbox/features.js';

describe('inInitialUserNamespace (T66: who may make device nodes)', () => {
  it('is true for the identity map over every id, as in the host', () => {
    expect(inInitialUserNamespace('         0          0 4294967295\n')).toBe(true);
  });

  it('is false inside a container or rootless user namespace', () => {
    expect(inInitialUserNamespace('         0       1000          1\n         1     100000      65536\n')).toBe(false);
    expect(inInitialUserNamespace('         0          0      65536\n')).toBe(false);
    expect(inInitialUserNamespace('')).toBe(false);
  });

  it('matches this test process (root on the host in CI)', () => {
    const root = process.getuid?.() === 0;
    if (root) expect(inInitialUserNamespace()).toBe(true);
    else expect(typeof inInitialUserNamespace()).toBe('boolean');
  });
});
