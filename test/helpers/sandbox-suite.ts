/** describeWithSandbox: one sandbox per suite, for the sandbox test files (imports vitest). */
import { afterAll, beforeAll, describe } from 'vitest';
import type { NativeSandboxConfig } from '../../worker/sandbox/native-sandbox.js';
import { openSandbox, sandboxUnavailableReason, type SandboxContext } from './sandbox-run.js';

/**
 * A suite over one sandbox: `describe`s `title` (skipped, with the reason in its name, where no
 * sandbox can run here), opens the sandbox before its tests and closes it after them. `body` gets
 * the context object, filled in once the sandbox is open.
 */
export function describeWithSandbox(title: string, body: (ctx: SandboxContext) => void, config: NativeSandboxConfig = {}): void {
  const skip = sandboxUnavailableReason();
  describe.skipIf(skip !== undefined)(`${title}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const ctx = {} as SandboxContext;
    beforeAll(async () => {
      Object.assign(ctx, await openSandbox(config));
    });
    afterAll(async () => {
      await (ctx as Partial<SandboxContext>).sandbox?.close();
    });
    body(ctx);
  });
}
