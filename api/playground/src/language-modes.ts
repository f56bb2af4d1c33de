/**
 * Language name (as GET /languages reports it, or one of its aliases) → the editor's syntax mode.
 * Lezer grammars where CodeMirror has one, legacy stream modes otherwise; a language missing from
 * the table is edited as plain text. Each loader is a dynamic import, so a grammar is fetched only
 * when its language is picked (esbuild puts each in its own chunk).
 */
import { StreamLanguage, type StreamParser } from '@codemirror/language';
import type { Extension } from '@codemirror/state';

type ModeLoader = () => Promise<Extension>;

function legacy<T>(parser: Promise<StreamParser<T>>): Promise<Extension> {
  return parser.then((p) => StreamLanguage.define(p));
}

const cpp: ModeLoader = () => import('@codemirror/lang-cpp').then((m) => m.cpp());
const python: ModeLoader = () => import('@codemirror/lang-python').then((m) => m.python());
const javascript: ModeLoader = () => import('@codemirror/lang-javascript').then((m) => m.javascript());
const clike = () => import('@codemirror/legacy-modes/mode/clike');
const mllike = () => import('@codemirror/legacy-modes/mode/mllike');
const lisp = (): Promise<Extension> => legacy(import('@codemirror/legacy-modes/mode/commonlisp').then((m) => m.commonLisp));
const scheme = (): Promise<Extension> => legacy(import('@codemirror/legacy-modes/mode/scheme').then((m) => m.scheme));
const shell = (): Promise<Extension> => legacy(import('@codemirror/legacy-modes/mode/shell').then((m) => m.shell));

const MODES: Readonly<Record<string, ModeLoader>> = {
  c: cpp,
  cpp,
  'c++': cpp,
  python,
  python3: python,
  pypy: python,
  pypy3: python,
  java: () => import('@codemirror/lang-java').then((m) => m.java()),
  javascript,
  js: javascript,
  node: javascript,
  typescript: () => import('@codemirror/lang-javascript').then((m) => m.javascript({ typescript: true })),
  go: () => import('@codemirror/lang-go').then((m) => m.go()),
  rust: () => import('@codemirror/lang-rust').then((m) => m.rust()),
  php: () => import('@codemirror/lang-php').then((m) => m.php({ plain: false })),
  ruby: () => legacy(import('@codemirror/legacy-modes/mode/ruby').then((m) => m.ruby)),
  bash: shell,
  sh: shell,
  zsh: shell,
  kotlin: () => legacy(clike().then((m) => m.kotlin)),
  scala: () => legacy(clike().then((m) => m.scala)),
  csharp: () => legacy(clike().then((m) => m.csharp)),
  'c#': () => legacy(clike().then((m) => m.csharp)),
  dart: () => legacy(clike().then((m) => m.dart)),
  'objective-c': () => legacy(clike().then((m) => m.objectiveC)),
  objc: () => legacy(clike().then((m) => m.objectiveC)),
  d: () => legacy(import('@codemirror/legacy-modes/mode/d').then((m) => m.d)),
  ocaml: () => legacy(mllike().then((m) => m.oCaml)),
  fsharp: () => legacy(mllike().then((m) => m.fSharp)),
  haskell: () => legacy(import('@codemirror/legacy-modes/mode/haskell').then((m) => m.haskell)),
  lua: () => legacy(import('@codemirror/legacy-modes/mode/lua').then((m) => m.lua)),
  perl: () => legacy(import('@codemirror/legacy-modes/mode/perl').then((m) => m.perl)),
  r: () => legacy(import('@codemirror/legacy-modes/mode/r').then((m) => m.r)),
  swift: () => legacy(import('@codemirror/legacy-modes/mode/swift').then((m) => m.swift)),
  julia: () => legacy(import('@codemirror/legacy-modes/mode/julia').then((m) => m.julia)),
  erlang: () => legacy(import('@codemirror/legacy-modes/mode/erlang').then((m) => m.erlang)),
  elixir: () => legacy(import('@codemirror/legacy-modes/mode/ruby').then((m) => m.ruby)),
  clojure: () => legacy(import('@codemirror/legacy-modes/mode/clojure').then((m) => m.clojure)),
  'common-lisp': lisp,
  commonlisp: lisp,
  lisp,
  sbcl: lisp,
  scheme,
  racket: scheme,
  guile: scheme,
  pascal: () => legacy(import('@codemirror/legacy-modes/mode/pascal').then((m) => m.pascal)),
  fortran: () => legacy(import('@codemirror/legacy-modes/mode/fortran').then((m) => m.fortran)),
  cobol: () => legacy(import('@codemirror/legacy-modes/mode/cobol').then((m) => m.cobol)),
  groovy: () => legacy(import('@codemirror/legacy-modes/mode/groovy').then((m) => m.groovy)),
  crystal: () => legacy(import('@codemirror/legacy-modes/mode/crystal').then((m) => m.crystal)),
  octave: () => legacy(import('@codemirror/legacy-modes/mode/octave').then((m) => m.octave)),
  tcl: () => legacy(import('@codemirror/legacy-modes/mode/tcl').then((m) => m.tcl)),
  sql: () => legacy(import('@codemirror/legacy-modes/mode/sql').then((m) => m.standardSQL)),
  sqlite: () => legacy(import('@codemirror/legacy-modes/mode/sql').then((m) => m.sqlite)),
  coffeescript: () => legacy(import('@codemirror/legacy-modes/mode/coffeescript').then((m) => m.coffeeScript)),
  elm: () => legacy(import('@codemirror/legacy-modes/mode/elm').then((m) => m.elm)),
  vb: () => legacy(import('@codemirror/legacy-modes/mode/vb').then((m) => m.vb)),
  brainfuck: () => legacy(import('@codemirror/legacy-modes/mode/brainfuck').then((m) => m.brainfuck)),
  forth: () => legacy(import('@codemirror/legacy-modes/mode/forth').then((m) => m.forth)),
  smalltalk: () => legacy(import('@codemirror/legacy-modes/mode/smalltalk').then((m) => m.smalltalk)),
  powershell: () => legacy(import('@codemirror/legacy-modes/mode/powershell').then((m) => m.powerShell)),
  basic: () => legacy(import('@codemirror/legacy-modes/mode/vb').then((m) => m.vb)),
  raku: () => legacy(import('@codemirror/legacy-modes/mode/perl').then((m) => m.perl)),
};

/**
 * Installed (or coming) languages edited as plain text on purpose: CodeMirror's packages have no
 * grammar close enough (a wrong grammar misleads more than none).
 */
export const PLAIN_TEXT_LANGUAGES: readonly string[] = ['ada', 'assembly', 'awk', 'nim', 'prolog'];

/**
 * The syntax mode for a language, trying its name then its aliases; an empty extension (plain
 * text) when none is known or its chunk cannot be loaded.
 */
export async function loadLanguageMode(name: string, aliases: readonly string[] = []): Promise<Extension> {
  const loader = [name, ...aliases].map((n) => MODES[n.toLowerCase()]).find((l) => l !== undefined);
  if (loader === undefined) return [];
  try {
    return await loader();
  } catch {
    return [];
  }
}

/** True when the table has a mode for the language (the tests check every installed one). */
export function hasLanguageMode(name: string, aliases: readonly string[] = []): boolean {
  return [name, ...aliases].some((n) => MODES[n.toLowerCase()] !== undefined);
}
