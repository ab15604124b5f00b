import { ConfigError } from '../../layers/index.js';
import {
  DEFAULT_REQUESTS_PER_MINUTE,
  VENDORS,
  type VendorClientOptions,
  type VendorName,
} from './vendor-http.js';

/** Where each vendor is reached and how fast, read once from the environment. */
export type VendorSettings = Readonly<Record<VendorName, Omit<VendorClientOptions, 'logger'>>>;

const BASE_URLS: Record<VendorName, [string, string]> = {
  alpaca: ['ALPACA_DATA_URL', 'https://data.alpaca.markets'],
  polygon: ['POLYGON_API_URL', 'https://api.polygon.io'],
  binance: ['BINANCE_API_URL', 'https://api.binance.com'],
};

/**
 * Vendor settings from the environment: `ALPACA_DATA_URL`, `POLYGON_API_URL`, `BINANCE_API_URL`
 * (base URLs), `APCA_API_KEY_ID` + `APCA_API_SECRET_KEY` (Alpaca headers), `POLYGON_API_KEY`
 * (sent as a Bearer header, never in a URL), and `BACKFILL_RPM_<VENDOR>` (requests per minute;
 * defaults in DEFAULT_REQUESTS_PER_MINUTE). Every bad value is listed at once.
 */
export function vendorSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): VendorSettings {
  const problems: string[] = [];
  const out = {} as Record<VendorName, Omit<VendorClientOptions, 'logger'>>;
  for (const vendor of VENDORS) {
    const [urlVar, fallback] = BASE_URLS[vendor];
    const baseUrl = env[urlVar]?.trim() || fallback;
    try {
      const u = new URL(baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`${urlVar} must be http(s)`);
    } catch {
      problems.push(`${urlVar} is not a URL`);
    }
    const rpmVar = `BACKFILL_RPM_${vendor.toUpperCase()}`;
    const raw = env[rpmVar]?.trim();
    const rpm = raw ? Number(raw) : DEFAULT_REQUESTS_PER_MINUTE[vendor];
    if (!(Number.isFinite(rpm) && rpm > 0)) problems.push(`${rpmVar} must be a positive number`);
    const headers: Record<string, string> = {};
    if (vendor === 'alpaca') {
      if (env.APCA_API_KEY_ID) headers['APCA-API-KEY-ID'] = env.APCA_API_KEY_ID;
      if (env.APCA_API_SECRET_KEY) headers['APCA-API-SECRET-KEY'] = env.APCA_API_SECRET_KEY;
    }
    if (vendor === 'polygon' && env.POLYGON_API_KEY) headers.Authorization = `Bearer ${env.POLYGON_API_KEY}`;
    out[vendor] = Object.freeze({ vendor, baseUrl, headers: Object.freeze(headers), requestsPerMinute: rpm });
  }
  if (problems.length) throw new ConfigError(`backfill vendor settings: ${problems.join('; ')}`);
  return Object.freeze(out);
}
