/**
 * Workers that disagree on their languages, on the real service: any worker may take any run, so
 * the API offers only what every live worker runs. A second worker whose images dir lacks the
 * Debian 12 Python (a host whose image did not build, or one not yet upgraded) hides that version
 * until it leaves; before, the API offered it and the run failed whenever that worker took it.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/service-client.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

interface Language {
  language: string;
  version: string;
  default: boolean;
}

const skip = serviceUnavailableReason(['python', 'python-trixie', 'bash']);
describe.skipIf(skip !== undefined)(`a fleet of workers with different languages${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let service: TestService;
  let lackingImages: string;

  const pythonVersions = async (): Promise<Language[]> => {
    const all = (await (await fetch(`${service.url}/languages`)).json()) as Language[];
    return all.filter((l) => l.language === 'python');
  };

  beforeAll(async () => {
    service = await startService();
    lackingImages = await mkdtemp(join(tmpdir(), 'bulkhead-fleet-'));
    await cp(IMAGES_DIR, lackingImages, { recursive: true });
    // The Debian 12 Python's manifest gone, its layer recipe kept: that worker has Python 3.13 only.
    await rm(join(lackingImages, 'python', 'manifest.json'));
  });
  afterAll(async () => {
    await service?.stop();
    if (lackingImages !== undefined) await rm(lackingImages, { recursive: true, force: true });
  });

  it('offers only the versions every live worker has, and the hidden one again once the lacking worker leaves', async () => {
    const both = await pythonVersions();
    expect(both).toHaveLength(2);
    const debian12 = both.find((l) => l.default);
    const trixie = both.find((l) => !l.default);
    if (debian12 === undefined || trixie === undefined) throw new Error(`expected a default and a second Python: ${JSON.stringify(both)}`);

    const lacking = await service.startWorker({ SBX_IMAGES_DIR: lackingImages });
    const versionsNow = async () => (await pythonVersions()).map((l) => l.version).join(' ');
    await eventually('the lacking worker is live', async () => (await versionsNow()) === trixie.version, 60_000);

    const refused = await service.run({ language: 'python', version: debian12.version, source: 'print(1)' });
    expect(refused.httpStatus).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'SBX_ERR_VERSION_UNKNOWN', details: { versions: [trixie.version], onSomeWorkers: [debian12.version] } } });
    // Every run the API takes now runs on whichever worker takes it.
    const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => service.run({ language: 'python', source: `print(${i})` })));
    expect(runs.map((r) => [r.httpStatus, r.body.status, r.body.version, r.body.run && (r.body.run as { stdout: string }).stdout])).toEqual(
      runs.map((_, i) => [200, 'OK', trixie.version, `${i}\n`]),
    );

    await lacking.stop('SIGTERM');
    await eventually('the lacking worker is gone', async () => (await versionsNow()) === both.map((l) => l.version).join(' '), 30_000);
    const again = await service.run({ language: 'python', source: 'print(7)' });
    expect(again.body).toMatchObject({ status: 'OK', version: debian12.version });
  });
});
