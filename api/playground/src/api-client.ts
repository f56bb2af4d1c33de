/**
 * The page's HTTP client for the Bulkhead API on the same origin: GET /languages, POST /run (and
 * polling GET /runs/:id when the API answers 202). Every non-2xx answer becomes an ApiError that
 * carries the error body's code and message, so the page can say exactly what was refused.
 */
import type { RunResult } from '../../../worker/contract/result.js';

/** One entry of GET /languages. */
export interface Language {
  language: string;
  version: string;
  aliases: string[];
  compiled: boolean;
  sourceFile: string;
}

/** A refused or failed request: HTTP status plus the `{error:{code,message,requestId}}` body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** A finished run as POST /run (wait) and GET /runs/:id answer it. */
export type DoneRun = RunResult & { state: 'done' };

const POLL_INTERVAL_MS = 400;
/** How long the page polls a 202'd run before giving up (the longest wall limit is 120 s). */
const POLL_TIMEOUT_MS = 180_000;

/** Reads an answer's error body; a body that is not ours still yields a readable error. */
async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  const retryAfterS = Number.isFinite(retryAfter) ? retryAfter : undefined;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; requestId?: string } };
    const e = body.error;
    if (e?.code !== undefined) return new ApiError(response.status, e.code, e.message ?? response.statusText, e.requestId, retryAfterS);
  } catch {
    // Not JSON (a proxy's page, say): fall through to the status line.
  }
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'Request failed', undefined, retryAfterS);
}

/** Client for one origin; `apiKey` is read on every call so a key typed later applies at once. */
export class ApiClient {
  constructor(private readonly apiKey: () => string) {}

  private headers(json: boolean): Headers {
    const headers = new Headers();
    if (json) headers.set('content-type', 'application/json');
    const key = this.apiKey().trim();
    if (key !== '') headers.set('authorization', `Bearer ${key}`);
    return headers;
  }

  private async request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
    const hasBody = init.body !== undefined;
    let response: Response;
    try {
      response = await fetch(path, {
        method: init.method ?? 'GET',
        headers: this.headers(hasBody),
        ...(hasBody ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', `The service cannot be reached (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!response.ok) throw await toApiError(response);
    return { status: response.status, body: (await response.json()) as T };
  }

  /** GET /languages. */
  async languages(): Promise<Language[]> {
    return (await this.request<Language[]>('/languages')).body;
  }

  /** POST /run and wait for the result, polling GET /runs/:id after a 202. */
  async run(body: Record<string, unknown>, signal?: AbortSignal): Promise<DoneRun> {
    const answer = await this.request<DoneRun | { id: string; state: string }>('/run', { method: 'POST', body: { ...body, wait: true } });
    let current = answer.body;
    const deadline = Date.now() + POLL_TIMEOUT_MS;
    while (current.state !== 'done') {
      if (signal?.aborted === true || Date.now() > deadline) throw new ApiError(0, 'GAVE_UP', 'Stopped waiting for the result');
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      current = (await this.request<DoneRun | { id: string; state: string }>(`/runs/${encodeURIComponent(current.id)}`)).body;
    }
    return current as DoneRun;
  }
}

/** A one-line explanation of an error for the page, naming the status and the stable code. */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const prefix: Record<number, string> = {
    400: 'The request was refused',
    401: 'An API key is needed',
    403: 'Not allowed',
    413: 'Too large',
    429: 'Rate limit reached',
    503: 'The service is busy or not ready',
  };
  const head = prefix[err.status] ?? (err.status === 0 ? 'No answer' : `HTTP ${err.status}`);
  const retry = err.retryAfterS === undefined ? '' : ` Retry in ${err.retryAfterS} s.`;
  const code = err.code.startsWith('SBX_ERR_') ? ` (${err.code})` : '';
  return `${head}: ${err.message}${code}.${retry}`.replace('..', '.');
}
