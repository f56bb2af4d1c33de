/**
 * The built sbx-init is what native/build-init.sh promises: position independent (each exec, and
 * so each run's pid 1, gets its code at a random address) and self-contained (no program
 * interpreter: it needs no dynamic loader or library from the host at exec time).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBuildDir } from '../../native/index.js';

const ET_DYN = 3;
const PT_INTERP = 3;

const buildDir = findBuildDir();
const binary = buildDir === undefined ? undefined : join(buildDir, 'sbx-init');
const skipReason = binary === undefined ? 'addon not built' : existsSync(binary) ? undefined : 'sbx-init not built';

/** e_type and the p_type of every program header of a 64-bit little-endian ELF file. */
function elfTypes(file: Buffer): { type: number; segments: number[] } {
  expect(file.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  expect(file[4], 'ELFCLASS64').toBe(2);
  expect(file[5], 'little-endian').toBe(1);
  const phoff = Number(file.readBigUInt64LE(32));
  const phentsize = file.readUInt16LE(54);
  const phnum = file.readUInt16LE(56);
  const segments = Array.from({ length: phnum }, (_, i) => file.readUInt32LE(phoff + i * phentsize));
  return { type: file.readUInt16LE(16), segments };
}

describe.skipIf(skipReason !== undefined)(`sbx-init binary${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('is a static position-independent executable', () => {
    const { type, segments } = elfTypes(readFileSync(binary ?? ''));
    expect(type, 'ET_DYN: loaded at a random base').toBe(ET_DYN);
    expect(segments.length).toBeGreaterThan(2);
    expect(segments, 'no PT_INTERP: no dynamic loader').not.toContain(PT_INTERP);
  });
});
