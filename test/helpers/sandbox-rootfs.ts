/**
 * Test fixture: a tiny rootfs built at test time under os.tmpdir() (cached by content hash):
 * static busybox with applet links, the static probe (native/test/probe.c), /etc/passwd, and the
 * empty mount points. A second layer adds a marker file, to test stacking. Readable by others,
 * since runs use unprivileged host uids.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Debian's busybox-static installs its binary. */
export const BUSYBOX_PATH = '/bin/busybox';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const probeSource = join(repoRoot, 'native', 'test', 'probe.c');

/** The fixture's layers, base first, and the cache directory they live in. */
export interface RootfsFixture {
  base: string;
  overlay: string;
  layers: string[];
}

/** Why the fixture cannot be built here, or undefined when it can. */
export function rootfsUnavailableReason(): string | undefined {
  if (!existsSync(BUSYBOX_PATH)) return `${BUSYBOX_PATH} missing (apt-get install busybox-static)`;
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no C compiler (cc) to build the probe';
  }
  return undefined;
}

function build(dir: string): void {
  const base = join(dir, 'base');
  for (const d of ['bin', 'proc', 'dev', 'tmp', 'box', 'etc', 'sys', 'usr/bin', 'root', 'home/sandbox']) {
    mkdirSync(join(base, d), { recursive: true });
  }
  copyFileSync(BUSYBOX_PATH, join(base, 'bin', 'busybox'));
  const applets = execFileSync(BUSYBOX_PATH, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => /^[a-z0-9_.[-]+$/.test(a));
  for (const applet of applets) {
    if (applet !== 'busybox' && !existsSync(join(base, 'bin', applet))) symlinkSync('busybox', join(base, 'bin', applet));
  }
  execFileSync('cc', ['-static', '-O2', '-o', join(base, 'bin', 'probe'), probeSource]);
  writeFileSync(join(base, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nsandbox:x:1000:1000::/home/sandbox:/bin/sh\n');
  writeFileSync(join(base, 'etc', 'group'), 'root:x:0:\nsandbox:x:1000:\n');
  writeFileSync(join(base, 'etc', 'base-marker'), 'base\n');
  const overlay = join(dir, 'overlay', 'etc');
  mkdirSync(overlay, { recursive: true });
  writeFileSync(join(overlay, 'layer-marker'), 'overlay\n');
  writeFileSync(join(overlay, 'base-marker'), 'shadowed by the upper layer\n');
  for (const d of [dir, base, join(dir, 'overlay'), overlay]) chmodSync(d, 0o755);
}

/** Builds (once per content hash) and returns the fixture. */
export function ensureRootfs(): RootfsFixture {
  const hash = createHash('sha256').update(readFileSync(probeSource)).update(readFileSync(BUSYBOX_PATH)).update('v1').digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `bulkhead-sbx-rootfs-${hash}`);
  if (!existsSync(join(dir, 'complete'))) {
    const staging = `${dir}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    build(staging);
    writeFileSync(join(staging, 'complete'), '');
    try {
      renameSync(staging, dir);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  // Runs use unprivileged host uids: every directory on the way must be searchable by others.
  chmodSync(dir, 0o755);
  return { base: join(dir, 'base'), overlay: join(dir, 'overlay'), layers: [join(dir, 'base'), join(dir, 'overlay')] };
}
