/**
 * A zip archive (Judge0's `additional_files`) → the run's extra files, in the API process with
 * bounded memory. The declared sizes are checked before anything is inflated, and fflate inflates
 * each entry into a buffer of exactly its declared size (it never grows one it was given), so an
 * archive that lies about its sizes cannot make us allocate more than the bound (zip bombs).
 */
import { unzipSync } from 'fflate';
import { BulkheadError } from '../../worker/contract/errors.js';
import type { JobFile } from '../../worker/contract/job.js';
import { FILE_NAME_PATTERN } from '../runs/run-job.js';

/** Bounds for one archive. */
export interface ZipBounds {
  /** Files at most (directories not counted). */
  maxFiles: number;
  /** Sum of the files' uncompressed sizes at most, bytes. */
  maxTotalBytes: number;
}

const STORED = 0;
const DEFLATE = 8;

function refuse(message: string): never {
  throw new BulkheadError('SBX_ERR_ARCHIVE', message);
}

/**
 * Why an entry's name is refused, or undefined. The work directory is flat (the worker writes
 * each file by name, and FILE_NAME_PATTERN is its path-escape guard), so an entry in a folder, an
 * absolute path or `..` is refused rather than flattened: flattening could silently merge two
 * files into one name.
 */
function nameProblem(name: string): string | undefined {
  if (name.startsWith('/') || name.split(/[/\\]/).includes('..')) return `"${name}" points outside the work directory`;
  if (name.includes('/') || name.includes('\\')) return `"${name}" is in a folder; only files at the top of the archive are supported`;
  if (!FILE_NAME_PATTERN.test(name)) return `"${name}" is not an allowed file name (letters, digits, ".", "_", "-")`;
  return undefined;
}

/** The files of a zip archive, in archive order; throws SBX_ERR_ARCHIVE with the reason. */
export function filesFromZip(archive: Uint8Array, bounds: ZipBounds): JobFile[] {
  let count = 0;
  let totalBytes = 0;
  const isDirectory = (name: string) => name.endsWith('/');
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(archive, {
      filter(entry) {
        if (isDirectory(entry.name) && entry.originalSize === 0) return false;
        const problem = nameProblem(entry.name);
        if (problem !== undefined) refuse(problem);
        if (entry.compression !== STORED && entry.compression !== DEFLATE) refuse(`"${entry.name}" uses an unsupported compression method`);
        count += 1;
        totalBytes += entry.originalSize;
        if (count > bounds.maxFiles) refuse(`the archive has more than ${bounds.maxFiles} files`);
        if (totalBytes > bounds.maxTotalBytes) refuse(`the archive's files add up to more than ${bounds.maxTotalBytes} bytes`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof BulkheadError) throw err;
    refuse('it is not a valid zip archive');
  }
  return Object.entries(entries).map(([name, bytes]) => ({ name, contentBase64: Buffer.from(bytes).toString('base64') }));
}
