/**
 * The Output region and the Status line: streamed stdout/stderr (each chunk its own span, coloured
 * by stream), the compile stage in its own section, and the final status with exit code or signal,
 * CPU time, wall time and peak memory.
 */
import type { RunResult, StageResult } from '../../../worker/contract/result.js';

/** Formats a byte count for people (binary units, as the limits are set). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Stage output as text (base64 fields decoded). */
export function stageText(stage: StageResult, stream: 'stdout' | 'stderr'): string {
  const data = stage[stream];
  if (stage[`${stream}Encoding`] !== 'base64') return data;
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** Class of a status badge: good, bad, or neutral. */
export function statusTone(status: string): string {
  if (status === 'OK') return 'ok';
  if (status === 'INTERNAL_ERROR') return 'internal';
  return 'bad';
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The facts of a finished stage, in the order people read them. */
function stageFacts(stage: StageResult): string[] {
  const facts: string[] = [];
  if (stage.timeLimit !== undefined) facts.push(`${stage.timeLimit} time`);
  if (stage.signal !== null) facts.push(`signal ${stage.signal}`);
  else if (stage.exitCode !== null) facts.push(`exit ${stage.exitCode}`);
  facts.push(`CPU ${formatMs(stage.cpuTimeMs)}`, `wall ${formatMs(stage.wallTimeMs)}`, `memory ${formatBytes(stage.memoryBytes)}`);
  if (stage.stdoutTruncated || stage.stderrTruncated) facts.push('output truncated');
  return facts;
}

export class OutputView {
  private stage: 'compile' | 'run' = 'run';
  private streamedRun = false;
  private streamedCompile = false;

  constructor(
    private readonly status: HTMLElement,
    private readonly compileSection: HTMLElement,
    private readonly compileOutput: HTMLElement,
    private readonly runOutput: HTMLElement,
  ) {}

  /** Empties everything for a new run. */
  reset(message: string): void {
    this.compileSection.hidden = true;
    this.compileOutput.replaceChildren();
    this.runOutput.replaceChildren();
    this.stage = 'run';
    this.streamedRun = false;
    this.streamedCompile = false;
    this.setStatus('running', message);
  }

  setStatus(tone: string, label: string, facts: readonly string[] = []): void {
    const children: Node[] = [el('span', `badge ${tone}`, label)];
    // Spaces between the parts, so the line reads as words to screen readers and in copied text.
    for (const fact of facts) children.push(document.createTextNode(' '), el('span', 'fact', fact));
    this.status.replaceChildren(...children);
  }

  /** A `stage` message: compile output goes to its own section from now on. */
  enterStage(stage: string): void {
    if (stage === 'compile') {
      this.stage = 'compile';
      this.compileSection.hidden = false;
      this.setStatus('running', 'Compiling…');
    } else {
      this.stage = 'run';
      this.setStatus('running', 'Running…');
    }
  }

  /** A streamed chunk (or the echo of a line typed into the program), appended to the current stage's pane. */
  append(stream: 'stdout' | 'stderr' | 'stdin', text: string): void {
    const target = this.stage === 'compile' ? this.compileOutput : this.runOutput;
    if (this.stage === 'compile') this.streamedCompile = true;
    else this.streamedRun = true;
    const last = target.lastElementChild;
    if (last instanceof HTMLElement && last.dataset.stream === stream) last.textContent += text;
    else {
      const span = el('span', stream, text);
      span.dataset.stream = stream;
      target.append(span);
    }
    const box = target.closest('.output');
    if (box !== null) box.scrollTop = box.scrollHeight;
  }

  private fillStage(target: HTMLElement, stage: StageResult): void {
    target.replaceChildren();
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = stageText(stage, stream);
      if (text === '') continue;
      const span = el('span', stream, text);
      span.dataset.stream = stream;
      target.append(span);
    }
  }

  /** The result: fills what was not streamed, then the status line with the deciding stage's facts. */
  finish(result: RunResult): void {
    if (result.compile !== undefined) {
      this.compileSection.hidden = false;
      if (!this.streamedCompile || result.status === 'COMPILE_ERROR') this.fillStage(this.compileOutput, result.compile);
    }
    if (result.run !== undefined && !this.streamedRun) this.fillStage(this.runOutput, result.run);
    const deciding = result.run ?? result.compile;
    const facts = deciding === undefined ? [] : stageFacts(deciding);
    if (result.status === 'COMPILE_ERROR') facts.unshift('compile stage');
    if (result.errorCode !== undefined) facts.unshift(result.errorCode);
    this.setStatus(statusTone(result.status), result.status, facts);
  }

  /** A refusal or a lost connection. */
  fail(message: string): void {
    this.setStatus('error', 'Error', [message]);
  }
}
