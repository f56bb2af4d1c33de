/**
 * The CodeMirror 6 editor: line numbers, bracket matching and closing, auto-indentation, history,
 * search, highlighting of the picked language (a compartment swapped on change) and Ctrl/Cmd-Enter
 * to run. Colours come from CSS variables, so the editor follows the page's light/dark theme.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, foldGutter, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { loadLanguageMode } from './language-modes.js';

/** Token colours as CSS variables (defined per theme in styles.css). */
const pageHighlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: 'var(--tok-keyword)' },
  { tag: [t.string, t.special(t.string), t.regexp], color: 'var(--tok-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--tok-number)' },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: 'var(--tok-comment)', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.function(t.variableName))], color: 'var(--tok-function)' },
  { tag: [t.typeName, t.className, t.namespace, t.standard(t.typeName)], color: 'var(--tok-type)' },
  { tag: [t.processingInstruction, t.meta, t.macroName], color: 'var(--tok-meta)' },
  { tag: [t.propertyName, t.attributeName], color: 'var(--tok-property)' },
  { tag: [t.operator, t.punctuation, t.bracket], color: 'var(--tok-punct)' },
  { tag: t.invalid, color: 'var(--tok-invalid)' },
]);

const pageTheme = EditorView.theme({
  '&': { height: '100%', color: 'var(--fg)', backgroundColor: 'var(--editor-bg)' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--accent)' },
  '.cm-gutters': { backgroundColor: 'var(--editor-gutter)', color: 'var(--muted)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'var(--editor-active)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--editor-active)', color: 'var(--fg)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--accent)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--editor-selection)' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--editor-bracket)', outline: '1px solid var(--accent)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
});

export interface CodeEditorOptions {
  parent: HTMLElement;
  doc: string;
  /** Ctrl/Cmd-Enter. */
  onRun(): void;
  onChange(source: string): void;
}

/** The page's editor: its text, and its language (highlighting loaded on demand). */
export class CodeEditor {
  readonly view: EditorView;
  private readonly language = new Compartment();
  private languageRequest = 0;

  constructor(options: CodeEditorOptions) {
    const runKeys = Prec.highest(
      keymap.of([
        { key: 'Mod-Enter', run: () => (options.onRun(), true) },
        { key: 'Shift-Mod-Enter', run: () => (options.onRun(), true) },
      ]),
    );
    this.view = new EditorView({
      parent: options.parent,
      state: EditorState.create({
        doc: options.doc,
        extensions: [
          runKeys,
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          indentUnit.of('    '),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(pageHighlight),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          // Tab indents; Escape then Tab (or Ctrl-M) leaves the editor, so keyboard users are not trapped.
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
          this.language.of([]),
          pageTheme,
          EditorView.contentAttributes.of({ 'aria-label': 'Source code', 'aria-multiline': 'true' }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) options.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
  }

  get source(): string {
    return this.view.state.doc.toString();
  }

  set source(text: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  /** Switches highlighting; a slower earlier request never overrides a later one. */
  async setLanguage(name: string, aliases: readonly string[]): Promise<void> {
    const request = ++this.languageRequest;
    const mode = await loadLanguageMode(name, aliases);
    if (request !== this.languageRequest) return;
    this.view.dispatch({ effects: this.language.reconfigure(mode) });
  }

  focus(): void {
    this.view.focus();
  }
}
