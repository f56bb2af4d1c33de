/**
 * The one settings loader both processes use. A process's configuration is a tree whose leaves
 * are rows (./setting.ts) and whose inner nodes are groups (`ceilings`, `webhook`, …).
 *
 * The rules, the same for every variable in both processes:
 * - a value is trimmed; unset, empty or blank means the default (so `SBX_PORT=` in an env file or a
 *   unit's `Environment=SBX_PORT=` is "not set", never a parse error);
 * - a value that does not parse, or is outside its schema, is SBX_ERR_CONFIG naming the variable;
 * - the result is deep-frozen;
 * - for the log, every secret string is replaced by `***`, except that a URL keeps its scheme,
 *   host and path and loses only its user-info, if any (so a log still says which Redis was meant).
 */
import { Type, type Static, type TObject, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { configError, type Setting } from './setting.js';

/** A row or a group of rows, each with the defaults context `C` of its process. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a tree holds rows of every schema
export type SettingsTree<C> = { readonly [field: string]: Setting<any, C> | SettingsTree<C> };

/** The configuration a tree loads into. */
export type SettingsOf<T> = T extends Setting<infer S, infer _C> ? Static<S> : { -readonly [K in keyof T]: SettingsOf<T[K]> };

/** The environment a loader reads (process.env, or a test's object). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A leaf of a tree (a row), not a group. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as in SettingsTree
export function isSetting<C>(node: Setting<any, C> | SettingsTree<C>): node is Setting<any, C> {
  return node.kind === 'setting';
}

/** The one empty rule: trimmed text, or undefined when unset, empty or blank. */
export function settingText(env: Env, name: string): string | undefined {
  const text = env[name]?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** One row's value: its parsed text, else its default. */
export function readSetting<S extends TSchema, C>(row: Setting<S, C>, env: Env, context: C): Static<S> {
  const text = settingText(env, row.name);
  if (text !== undefined) return row.parse(text, row.name);
  return typeof row.default === 'function' ? (row.default as (context: C) => Static<S>)(context) : row.default;
}

/** Every row of a tree, in declaration order. */
export function rowsOf<C>(tree: SettingsTree<C>): Setting<TSchema, C>[] {
  return Object.values(tree).flatMap((node) => (isSetting(node) ? [node as Setting<TSchema, C>] : rowsOf(node)));
}

/** Reads every row of `tree` from `env` (not yet validated: see validateSettings). */
export function readSettings<T extends SettingsTree<C>, C>(tree: T, env: Env, context: C): SettingsOf<T> {
  const out: Record<string, unknown> = {};
  for (const [field, node] of Object.entries(tree)) {
    out[field] = isSetting(node) ? readSetting(node, env, context) : readSettings(node, env, context);
  }
  return out as SettingsOf<T>;
}

/** The TypeBox schema of a tree's configuration (groups are objects of their rows' schemas). */
export function schemaOf<C>(tree: SettingsTree<C>): TObject {
  const properties: Record<string, TSchema> = {};
  for (const [field, node] of Object.entries(tree)) properties[field] = isSetting(node) ? node.schema : schemaOf(node);
  return Type.Object(properties);
}

interface Validator {
  Errors(value: unknown): { instancePath: string; message: string }[];
}
const validators = new WeakMap<object, { validator: Validator; byPath: Map<string, string> }>();

function validatorOf<C>(tree: SettingsTree<C>) {
  let entry = validators.get(tree);
  if (entry === undefined) {
    const byPath = new Map<string, string>();
    const walk = (node: SettingsTree<C>, prefix: string): void => {
      for (const [field, child] of Object.entries(node)) {
        if (isSetting(child)) byPath.set(`${prefix}/${field}`, child.name);
        else walk(child, `${prefix}/${field}`);
      }
    };
    walk(tree, '');
    entry = { validator: Compile(schemaOf(tree)) as unknown as Validator, byPath };
    validators.set(tree, entry);
  }
  return entry;
}

/** The variable whose value holds `instancePath` (the longest row path that prefixes it). */
function variableAt(byPath: Map<string, string>, instancePath: string): string | undefined {
  for (let path = instancePath; path !== ''; path = path.slice(0, path.lastIndexOf('/'))) {
    const name = byPath.get(path);
    if (name !== undefined) return name;
  }
  return undefined;
}

/**
 * Checks `config` against the tree's schema and deep-freezes it.
 * @throws BulkheadError SBX_ERR_CONFIG naming the variable and the field of the first problem.
 */
export function validateSettings<T extends SettingsTree<never>>(tree: T, config: SettingsOf<T>): Readonly<SettingsOf<T>> {
  const { validator, byPath } = validatorOf(tree);
  const [first] = validator.Errors(config);
  if (first !== undefined) {
    const at = first.instancePath || '/';
    const name = variableAt(byPath, first.instancePath);
    throw configError(`Invalid configuration: ${name === undefined ? at : `${name} (${at})`} ${first.message}`);
  }
  return deepFreeze(config) as Readonly<SettingsOf<T>>;
}

/** readSettings then validateSettings: what a process's loader does with its tree. */
export function loadSettings<T extends SettingsTree<C>, C>(tree: T, env: Env, context: C): Readonly<SettingsOf<T>> {
  return validateSettings(tree, readSettings<T, C>(tree, env, context));
}

export const REDACTED = '***';

/** The one redaction of a secret string (see the rules at the top). */
export function redactSecret(text: string): string {
  const url = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/]*@)?/i.exec(text);
  if (url === null) return REDACTED;
  return url[0] === url[1] ? text : `${url[1]}${REDACTED}@${text.slice(url[0].length)}`;
}

/** A copy of `value` fit for the log: every string whose schema is marked secret is redacted. */
export function redactSettings<T>(schema: TSchema, value: T): T {
  const node = schema as { secret?: boolean; properties?: Record<string, TSchema>; items?: TSchema };
  if (node.secret === true && typeof value === 'string') return redactSecret(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => (node.items === undefined ? item : redactSettings(node.items, item))) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [field, inner] of Object.entries(value)) {
      const innerSchema = node.properties?.[field];
      out[field] = innerSchema === undefined ? inner : redactSettings(innerSchema, inner);
    }
    return out as T;
  }
  return value;
}

/** Whether a row's value can hold a secret anywhere inside it (a column of the tables). */
export function holdsSecret(schema: TSchema): boolean {
  const node = schema as { secret?: boolean; properties?: Record<string, TSchema>; items?: TSchema };
  if (node.secret === true) return true;
  if (node.items !== undefined && holdsSecret(node.items)) return true;
  return Object.values(node.properties ?? {}).some(holdsSecret);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
