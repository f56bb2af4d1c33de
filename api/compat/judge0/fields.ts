/**
 * Reading Judge0 request values the way Judge0 (Rails) reads them: numbers may come as numeric
 * strings, `null` and `""` mean "not given" (the default applies), booleans may be "true"/"1"/…,
 * and every problem is collected per field as Judge0's 422 body `{ field: [messages] }`.
 */
import { BulkheadError } from '../../../worker/contract/errors.js';

/** Judge0's 422 body: field name → messages. */
export type FieldErrors = Record<string, string[]>;

/** Collects field errors; `throwIfAny` raises them as one SBX_ERR_FIELD_REFUSED. */
export class FieldErrorList {
  readonly errors: FieldErrors = {};

  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  get empty(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  throwIfAny(): void {
    if (this.empty) return;
    const summary = Object.entries(this.errors)
      .map(([f, m]) => `${f} ${m.join(', ')}`)
      .join('; ');
    throw new BulkheadError('SBX_ERR_FIELD_REFUSED', summary, { details: { fields: this.errors } });
  }
}

/** True when Judge0 treats the value as not given. */
export function isUnset(value: unknown): value is null | undefined | '' {
  return value === undefined || value === null || value === '';
}

const NUMERIC = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** Bounds of a numeric field, in the field's own unit, as Judge0's validations state them. */
export interface NumericBounds {
  min: number;
  /** The minimum itself is refused (Judge0 `greater_than`). */
  minExclusive?: boolean;
  max: number;
}

function formatBound(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

/** A number field: its value, or `fallback` when unset; problems are added to `errors`. */
export function readNumber(body: Record<string, unknown>, field: string, bounds: NumericBounds, fallback: number, errors: FieldErrorList): number {
  const raw = body[field];
  if (isUnset(raw)) return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && NUMERIC.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) {
    errors.add(field, 'is not a number');
    return fallback;
  }
  if (bounds.minExclusive === true ? value <= bounds.min : value < bounds.min) {
    errors.add(field, `must be greater than ${bounds.minExclusive === true ? '' : 'or equal to '}${formatBound(bounds.min)}`);
  } else if (value > bounds.max) {
    errors.add(field, `must be less than or equal to ${formatBound(bounds.max)}`);
  }
  return value;
}

const TRUE_VALUES = new Set(['true', '1', 't', 'on', 'yes', 'y']);

/** A boolean field as Rails casts it; unset → `fallback`. */
export function readBoolean(body: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const raw = body[field];
  if (isUnset(raw)) return fallback;
  if (typeof raw === 'boolean') return raw;
  return TRUE_VALUES.has(String(raw).trim().toLowerCase());
}

/** A text field (strings, or numbers written as text); unset → undefined. */
export function readText(body: Record<string, unknown>, field: string, errors: FieldErrorList, maxLength?: number): string | undefined {
  const raw = body[field];
  if (isUnset(raw)) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    errors.add(field, 'is not a string');
    return undefined;
  }
  const text = String(raw);
  if (maxLength !== undefined && text.length > maxLength) errors.add(field, `is too long (maximum is ${maxLength} characters)`);
  return text;
}

/** Lenient base64 (whitespace and missing padding allowed, as Ruby's decode64 is) → bytes; undefined when not base64. */
export function decodeLenientBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64');
}

/** Base64 as Ruby's encode64 writes it (Judge0's wire form): lines of 60 characters, each ending in a newline. */
export function encodeJudge0Base64(bytes: Buffer): string {
  const flat = bytes.toString('base64');
  let out = '';
  for (let i = 0; i < flat.length; i += 60) out += `${flat.slice(i, i + 60)}\n`;
  return out;
}

/**
 * Arguments from Judge0's one-line `command_line_arguments`, split as the shell Judge0 runs them
 * through would split them (whitespace, single and double quotes, backslash escapes), after
 * removing the characters Judge0 strips before the shell sees the line ($ & ; < > | `).
 */
export function splitCommandLine(line: string): string[] {
  const cleaned = line.trim().replace(/[$&;<>|`]/g, '');
  const args: string[] = [];
  let current: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < cleaned.length; i++) {
    const ch = cleaned[i] ?? '';
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < cleaned.length) current = (current ?? '') + (cleaned[++i] ?? '');
      else current = (current ?? '') + ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current ??= '';
    } else if (ch === '\\' && i + 1 < cleaned.length) {
      current = (current ?? '') + (cleaned[++i] ?? '');
    } else if (/\s/.test(ch)) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (current !== undefined) args.push(current);
  return args;
}
