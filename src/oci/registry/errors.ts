// One error type for everything that goes wrong talking to a registry. It names the operation,
// the request (method and URL path, query left out: upload URLs carry opaque state), the HTTP
// status and the registry's own error codes, so a failed publish says what to look at.
import { UserError } from '../../errors.ts';

/** An entry of the distribution spec's error body `{"errors": [{code, message, detail}]}`. */
export interface RegistryErrorCode {
  code: string;
  message?: string;
  detail?: unknown;
}

export interface RegistryErrorInit {
  operation: string;
  method: string;
  url: URL;
  status?: number;
  statusText?: string;
  codes?: RegistryErrorCode[];
  /** What failed below HTTP (connection reset, stalled, refused). */
  network?: string;
  retryAfterMs?: number;
  hint?: string;
  cause?: unknown;
}

export class RegistryError extends UserError {
  override name = 'RegistryError';
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly codes: RegistryErrorCode[];
  readonly network: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** How many times the request was sent before giving up. */
  readonly attempts: number;

  constructor(init: RegistryErrorInit, attempts = 1) {
    super(describe(init, attempts), { cause: init.cause });
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.url.pathname;
    this.status = init.status;
    this.codes = init.codes ?? [];
    this.network = init.network;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = attempts;
    this.init = init;
  }

  private readonly init: RegistryErrorInit;

  /** The same error, saying it was the last of `attempts` tries. */
  afterAttempts(attempts: number): RegistryError {
    return new RegistryError(this.init, attempts);
  }

  /** 429, 5xx other than 501, and failures below HTTP are worth another try. */
  get retryable(): boolean {
    if (this.status === undefined) return this.network !== undefined;
    return this.status === 429 || this.status === 408 || (this.status >= 500 && this.status !== 501);
  }

  hasCode(code: string): boolean {
    return this.codes.some((c) => c.code === code);
  }
}

function describe(init: RegistryErrorInit, attempts: number): string {
  const where = `${init.method} ${init.url.host}${init.url.pathname}`;
  let what: string;
  if (init.status === undefined) {
    what = `${where} failed: ${init.network ?? 'no response'}`;
  } else {
    what = `${where} answered ${init.status}${init.statusText ? ` ${init.statusText}` : ''}`;
    if (init.codes?.length) {
      what += `: ${init.codes.map((c) => (c.message ? `${c.code} (${c.message})` : c.code)).join(', ')}`;
    }
  }
  const tries = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
  return `${init.operation}: ${what}${tries}${init.hint ? `; ${init.hint}` : ''}`;
}

/** The error codes of a registry's error body, or none when it is not one. */
export function parseErrorCodes(body: Uint8Array, contentType: string | undefined): RegistryErrorCode[] {
  if (body.length === 0 || body.length > 1 << 20) return [];
  if (contentType !== undefined && !/json/i.test(contentType) && body[0] !== 0x7b) return [];
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors
      .filter((e): e is { code: string; message?: unknown; detail?: unknown } => typeof e?.code === 'string')
      .map((e) => ({ code: e.code, ...(typeof e.message === 'string' ? { message: e.message } : {}), ...(e.detail === undefined ? {} : { detail: e.detail }) }));
  } catch {
    return [];
  }
}
