/**
 * One setting = one row: the `SBX_*` variable, its schema and parser, unit, default, a one-line
 * doc, which process reads it and whether it holds a secret. Each variable is declared exactly
 * once (shared rows in ./shared.ts, process-only rows beside their process's loader); the loader
 * (./load.ts) and the README tables (scripts/settings-doc.ts) are both derived from the rows.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { BulkheadError } from '../errors.js';

/** Which process reads a variable; a `both` row sits in the two processes' trees. */
export type SettingReader = 'api' | 'worker' | 'both';

/** How a quantity is counted; shown beside the default in the tables. */
export type SettingUnit = 'ms' | 's' | 'bytes' | 'cores';

export interface Setting<S extends TSchema = TSchema, C = unknown> {
  readonly kind: 'setting';
  /** The environment variable. */
  readonly name: `SBX_${string}`;
  /** What the parsed value must satisfy (checked on defaults and overrides too). */
  readonly schema: S;
  /** Turns the trimmed, non-empty text into a value; throws SBX_ERR_CONFIG naming the variable. */
  readonly parse: (text: string, name: string) => Static<S>;
  /** The value when the variable is unset, empty or blank; a function when it depends on the host. */
  readonly default: Static<S> | ((context: C) => Static<S>);
  /** How the default reads in the tables; required when `default` is a function. */
  readonly defaultDoc?: string;
  readonly unit?: SettingUnit;
  /** One line for the tables (Markdown). */
  readonly doc: string;
  readonly readBy: SettingReader;
  /** Shown in the root README's short table of the settings people change most. */
  readonly overview?: true;
}

/** The fields every row constructor takes. */
export interface RowFields<T, C> {
  name: `SBX_${string}`;
  default: T | ((context: C) => T);
  defaultDoc?: string;
  unit?: SettingUnit;
  doc: string;
  readBy: SettingReader;
  overview?: true;
}

export function configError(message: string): BulkheadError {
  return new BulkheadError('SBX_ERR_CONFIG', message);
}

/** A row whose text is parsed by `parse` and checked against `schema`. */
export function setting<S extends TSchema, C = unknown>(schema: S, parse: Setting<S, C>['parse'], fields: RowFields<Static<S>, C>): Setting<S, C> {
  return Object.freeze({ kind: 'setting', schema, parse, ...fields });
}

/**
 * Marks a string schema as secret: redactSettings shows it as `***` (a URL keeps everything but
 * its user-info). Secret-ness lives on the schema, not the row, so it follows the value into
 * nested shapes (an API key's hash inside a list of keys) and the tables derive it from there.
 */
export function markSecret<S extends TSchema>(schema: S): S {
  return { ...schema, secret: true };
}

/** Digits only: a sign, a fraction or an exponent is a mistake in a count or a duration. */
export function parseInteger(text: string, name: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw configError(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return value;
}

function parseDecimal(text: string, name: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value)) throw configError(`${name} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

/** `true`/`1` or `false`/`0`, any case. */
function parseFlag(text: string, name: string): boolean {
  const value = text.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw configError(`${name} must be true or false, got ${JSON.stringify(text)}`);
}

/** Comma-separated, each entry trimmed, empty entries dropped. */
export function parseCommaList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const integerRow = <C = unknown>(bounds: { minimum: number; maximum?: number }, fields: RowFields<number, C>) => setting(Type.Integer(bounds), parseInteger, fields);

export const decimalRow = <C = unknown>(fields: RowFields<number, C>) => setting(Type.Number({ exclusiveMinimum: 0 }), parseDecimal, fields);

export const flagRow = <C = unknown>(fields: RowFields<boolean, C>) => setting(Type.Boolean(), parseFlag, fields);

export const stringRow = <C = unknown>(fields: RowFields<string, C>, options: { pattern?: string; secret?: true } = {}) => {
  const schema = Type.String({ minLength: 1, ...(options.pattern === undefined ? {} : { pattern: options.pattern }) });
  return setting(options.secret === true ? markSecret(schema) : schema, (text) => text, fields);
};

export const listRow = <C = unknown>(fields: RowFields<string[], C>) => setting(Type.Array(Type.String({ minLength: 1 })), parseCommaList, fields);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const LogLevelSchema = Type.Union([
  Type.Literal('fatal'),
  Type.Literal('error'),
  Type.Literal('warn'),
  Type.Literal('info'),
  Type.Literal('debug'),
  Type.Literal('trace'),
  Type.Literal('silent'),
]);

/** A pino level; anything else is refused by the schema (the parser passes the text through). */
export const logLevelRow = <C = unknown>(fields: RowFields<LogLevel, C>) => setting(LogLevelSchema, (text) => text as LogLevel, fields);
