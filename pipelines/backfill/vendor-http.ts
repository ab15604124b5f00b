import { type Logger, MarketlakeError, redactUrl, sleep, withRetry } from '../../layers/index.js';

/** The vendors whose history `backfill` fetches over HTTP. */
export const VENDORS = ['alpaca', 'polygon', 'binance'] as const;
export type VendorName = (typeof VENDORS)[number];

/**
 * Requests per minute when nothing else is configured, from each vendor's documentation:
 * Alpaca market data (Basic plan) 200/min; Polygon's free plan 5/min (paid plans are unlimited:
 * raise it); Binance spot 6,000 request weight/min per IP with klines and aggTrades costing up
 * to 2-4 weight, so 1,200 requests/min keeps well inside it.
 */
export const DEFAULT_REQUESTS_PER_MINUTE: Readonly<Record<VendorName, number>> = Object.freeze({
  alpaca: 200,
  polygon: 5,
  binance: 1200,
});

/** An HTTP failure; transient (retried) for 429, 408, 5xx, network errors and truncated bodies. */
export class VendorHttpError extends MarketlakeError {
  constructor(
    message: string,
    readonly status: number | undefined,
    options: { cause?: unknown; permanent: boolean },
  ) {
    super('VENDOR_HTTP', message, options);
  }
}

export interface VendorClientOptions {
  vendor: VendorName;
  /** Base URL (`https://data.alpaca.markets`); paging links must stay on its origin. */
  baseUrl: string;
  /** Sent with every request; never logged. */
  headers?: Readonly<Record<string, string>>;
  /** Requests per minute, spaced evenly and shared by every concurrent caller of this client. */
  requestsPerMinute?: number;
  /** How long one request keeps being retried (429, 5xx, truncated body). Default 120 s. */
  retryBudgetMs?: number;
  /** Per-attempt timeout. Default 60 s. */
  timeoutMs?: number;
  logger?: Logger;
}

/** What an adapter fetches through: URLs on the vendor's base, and JSON bodies. */
export interface VendorFetcher {
  url(path: string, query?: Record<string, string | number | undefined>): string;
  getJson(url: string): Promise<VendorResponse>;
}

export interface VendorResponse {
  /** The body exactly as sent (numbers beyond 2^53 stay exact here). */
  text: string;
  /** The body parsed with JSON.parse, for paging tokens and counts only. */
  json: unknown;
}

/** Seconds or an HTTP date, as `Retry-After` allows; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * One HTTP client per vendor: an even request pace (`requestsPerMinute`), a pause for everyone
 * after a 429 for as long as `Retry-After` says, retries with backoff for 5xx, network errors and
 * truncated bodies, and counters for the summary. Paging links (Polygon's `next_url`) are only
 * followed on the base URL's origin, so a response cannot send the API key elsewhere.
 */
export class VendorClient {
  readonly vendor: VendorName;
  readonly requestsPerMinute: number;
  /** Counters: requests sent (attempts), retries, 429s seen, bytes received. */
  readonly stats = { requests: 0, retries: 0, throttled: 0, bytes: 0 };
  private readonly origin: string;
  private nextSlotAt = 0;
  private pausedUntil = 0;

  constructor(private readonly options: VendorClientOptions) {
    this.vendor = options.vendor;
    this.requestsPerMinute = options.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE[options.vendor];
    if (!(this.requestsPerMinute > 0))
      throw new MarketlakeError('CONFIG', `${this.vendor}: requests per minute must be > 0`);
    this.origin = new URL(options.baseUrl).origin;
  }

  /** An absolute URL for a path and query on the base URL. */
  url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const u = new URL(this.options.baseUrl.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Wait for this client's next request slot (even spacing; after a 429, until Retry-After). */
  private async slot(): Promise<void> {
    const spacing = 60_000 / this.requestsPerMinute;
    for (;;) {
      const now = Date.now();
      const at = Math.max(now, this.nextSlotAt, this.pausedUntil);
      if (at <= now) {
        this.nextSlotAt = now + spacing;
        return;
      }
      await sleep(at - now);
    }
  }

  /** A view of this client (same pace, same pauses) that counts the requests made through it. */
  counted(): VendorFetcher & { readonly requests: number } {
    let requests = 0;
    return {
      url: (path, query) => this.url(path, query),
      getJson: (url) => this.getJson(url, () => (requests += 1)),
      get requests() {
        return requests;
      },
    };
  }

  /** GET a JSON body, retried per the rules above; `onAttempt` is called for every request sent. */
  async getJson(url: string, onAttempt?: () => void): Promise<VendorResponse> {
    const target = new URL(url);
    if (target.origin !== this.origin)
      throw new VendorHttpError(
        `${this.vendor}: refusing to follow ${redactUrl(url)} (not ${this.origin})`,
        undefined,
        {
          permanent: true,
        },
      );
    return withRetry(
      (attempt) => {
        return this.attempt(url, attempt, onAttempt);
      },
      {
        budgetMs: this.options.retryBudgetMs ?? 120_000,
        baseDelayMs: 200,
        maxDelayMs: 5_000,
        retryable: (e) => e instanceof VendorHttpError && !e.permanent,
        onRetry: (e, attempt, delayMs) => {
          this.stats.retries += 1;
          this.options.logger?.warn(
            { vendor: this.vendor, url: redactUrl(url), attempt, delayMs, err: (e as Error).message },
            'vendor request retried',
          );
        },
      },
    );
  }

  private async attempt(url: string, attempt: number, onAttempt?: () => void): Promise<VendorResponse> {
    await this.slot();
    this.stats.requests += 1;
    onAttempt?.();
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', ...this.options.headers },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
      text = await res.text();
    } catch (err) {
      // Refused connection, reset, timeout, or a body cut off before its Content-Length.
      throw new VendorHttpError(`${this.vendor}: ${(err as Error).message} (attempt ${attempt})`, undefined, {
        cause: err,
        permanent: false,
      });
    }
    this.stats.bytes += Buffer.byteLength(text);
    if (res.status === 429) {
      this.stats.throttled += 1;
      const wait = retryAfterMs(res.headers.get('retry-after')) ?? 1_000;
      this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
      throw new VendorHttpError(`${this.vendor}: 429 rate limited, retry after ${wait} ms`, 429, {
        permanent: false,
      });
    }
    if (!res.ok) {
      const transient = res.status >= 500 || res.status === 408;
      throw new VendorHttpError(
        `${this.vendor}: HTTP ${res.status} for ${redactUrl(url)}: ${text.slice(0, 200)}`,
        res.status,
        { permanent: !transient },
      );
    }
    try {
      return { text, json: JSON.parse(text) };
    } catch (err) {
      // A 200 whose body ends early (a proxy or the vendor dropped the connection): fetch again.
      throw new VendorHttpError(
        `${this.vendor}: truncated or invalid JSON body (${text.length} bytes)`,
        res.status,
        {
          cause: err,
          permanent: false,
        },
      );
    }
  }
}
