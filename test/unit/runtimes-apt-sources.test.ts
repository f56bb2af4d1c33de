import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDeb822, parseOneLine, readHostDebianSources, renderSourcesList } from '../../images/tool/apt-sources.js';

// Example mirrors are reserved documentation names (RFC 2606), never a real registry or mirror.
const DEB822 = `Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main contrib

Types: deb-src
URIs: http://mirror.example/debian
Suites: bookworm
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
`;

const THIRD_PARTY = `Types: deb
URIs: https://vendor.example/node_20.x
Suites: nodistro
Components: main
`;

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('apt sources of the host', () => {
  it('parses deb822 stanzas, skipping deb-src and disabled ones', () => {
    const sources = parseDeb822(DEB822);
    expect(sources).toEqual([
      {
        uri: 'http://mirror.example/debian',
        suites: ['bookworm', 'bookworm-updates'],
        components: ['main'],
        signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg',
      },
      { uri: 'http://mirror.example/debian-security', suites: ['bookworm-security'], components: ['main', 'contrib'] },
    ]);
  });

  it('parses one-line entries with options and comments', () => {
    const text = '# deb http://old.example/debian buster main\ndeb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main non-free\n';
    expect(parseOneLine(text)).toEqual([{ uri: 'http://mirror.example/debian', suites: ['bookworm'], components: ['main', 'non-free'], signedBy: '/k.gpg' }]);
  });

  it('keeps only Debian repositories for the release and ignores disabled files and third-party repos', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulkhead-apt-'));
    await mkdir(join(dir, 'sources.list.d'));
    await writeFile(join(dir, 'sources.list.d', 'debian.sources'), DEB822);
    await writeFile(join(dir, 'sources.list.d', 'vendor.sources'), THIRD_PARTY);
    await writeFile(join(dir, 'sources.list.d', 'sdk.list.disabled-by-admin'), 'deb http://mirror.example/debian bookworm main\n');
    await writeFile(join(dir, 'sources.list'), 'deb https://cloud.example/apt cloud-sdk-bookworm main\ndeb http://other.example/debian bullseye main\n');
    const kept = await readHostDebianSources('bookworm', dir);
    expect(kept.map((s) => s.uri)).toEqual(['http://mirror.example/debian', 'http://mirror.example/debian-security']);
    expect(renderSourcesList(kept)).toBe(
      'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm main\n' +
        'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm-updates main\n' +
        'deb http://mirror.example/debian-security bookworm-security main contrib\n',
    );
  });

  it('builds another Debian release from the host repositories, suites renamed, third-party repos still out', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulkhead-apt-'));
    await mkdir(join(dir, 'sources.list.d'));
    await writeFile(join(dir, 'sources.list.d', 'debian.sources'), DEB822);
    await writeFile(join(dir, 'sources.list.d', 'vendor.sources'), THIRD_PARTY);
    const kept = await readHostDebianSources('trixie', dir);
    expect(renderSourcesList(kept)).toBe(
      'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian trixie main\n' +
        'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian trixie-updates main\n' +
        'deb http://mirror.example/debian-security trixie-security main contrib\n',
    );
  });

  it('fails with SBX_ERR_CONFIG when the host has no Debian repository', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulkhead-apt-'));
    await writeFile(join(dir, 'sources.list'), 'deb https://cloud.example/apt cloud-sdk-bookworm main\n');
    await expect(readHostDebianSources('bookworm', dir)).rejects.toMatchObject({ code: 'SBX_ERR_CONFIG' });
  });
});
