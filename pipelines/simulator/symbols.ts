/**
 * One simulated instrument. The snake_case fields map one-to-one onto the SymbolRef contract
 * (so a spec can be spread into a reference record); the camelCase fields drive the simulation.
 */
export interface SymbolSpec {
  /** Ticker, upper case; must match the contracts' symbol pattern. */
  symbol: string;
  /** Legal company name, e.g. `Apple Inc.`. */
  name: string;
  /** Name used in post texts, e.g. `Apple`; derived from `name` when absent. */
  shortName?: string;
  /** Primary listing venue as an ISO 10383 MIC: `XNAS` (Nasdaq) or `XNYS` (NYSE). */
  exchange: 'XNAS' | 'XNYS';
  /** Only US equities are simulated (regular and extended hours of the US market). */
  asset_class: 'us_equity';
  /** GICS sector. */
  sector: string;
  /** GICS sub-industry. */
  industry: string;
  /** Mid price in USD at 04:00 New York time of the first simulated day. */
  startPrice: number;
  /** Annualised volatility of log returns (0.3 = 30 %). */
  annualVolatility: number;
  /** Annualised drift of the geometric Brownian motion. */
  annualDrift: number;
  /** Consolidated tape: `C` for Nasdaq-listed, `A` for NYSE-listed (`B` for other venues). */
  tape: 'A' | 'B' | 'C';
}

/** Ten large US stocks with their listing, GICS classification and early-March-2024 price level. */
export const DEFAULT_SYMBOLS: readonly SymbolSpec[] = Object.freeze([
  {
    symbol: 'AAPL',
    name: 'Apple Inc.',
    shortName: 'Apple',
    exchange: 'XNAS',
    asset_class: 'us_equity',
    sector: 'Information Technology',
    industry: 'Technology Hardware, Storage & Peripherals',
    startPrice: 179.66,
    annualVolatility: 0.25,
    annualDrift: 0.1,
    tape: 'C',
  },
  {
    symbol: 'MSFT',
    name: 'Microsoft Corporation',
    shortName: 'Microsoft',
    exchange: 'XNAS',
    asset_class: 'us_equity',
    sector: 'Information Technology',
    industry: 'Systems Software',
    startPrice: 415.5,
    annualVolatility: 0.24,
    annualDrift: 0.12,
    tape: 'C',
  },
  {
    symbol: 'GOOGL',
    name: 'Alphabet Inc.',
    shortName: 'Alphabet',
    exchange: 'XNAS',
    asset_class: 'us_equity',
    sector: 'Communication Services',
    industry: 'Interactive Media & Services',
    startPrice: 137.14,
    annualVolatility: 0.3,
    annualDrift: 0.11,
    tape: 'C',
  },
  {
    symbol: 'AMZN',
    name: 'Amazon.com, Inc.',
    shortName: 'Amazon',
    exchange: 'XNAS',
    asset_class: 'us_equity',
    sector: 'Consumer Discretionary',
    industry: 'Broadline Retail',
    startPrice: 178.22,
    annualVolatility: 0.32,
    annualDrift: 0.12,
    tape: 'C',
  },
  {
    symbol: 'META',
    name: 'Meta Platforms, Inc.',
    shortName: 'Meta',
    exchange: 'XNAS',
    asset_class: 'us_equity',
    sector: 'Communication Services',
    industry: 'Interactive Media & Services',
    startPrice: 502.3,
    annualVolatility: 0.4,
    annualDrift: 0.15,
    tape: 'C',
  },
  {
    symbol: 'NVDA',
    name: 'NVIDIA Corporation',
    shortName: 'Nvidia',
    exchange: 'XNAS',
    asset_class: 'us_equity',
    sector: 'Information Technology',
    industry: 'Semiconductors',
    startPrice: 822.79,
    annualVolatility: 0.55,
    annualDrift: 0.25,
    tape: 'C',
  },
  {
    symbol: 'TSLA',
    name: 'Tesla, Inc.',
    shortName: 'Tesla',
    exchange: 'XNAS',
    asset_class: 'us_equity',
    sector: 'Consumer Discretionary',
    industry: 'Automobile Manufacturers',
    startPrice: 202.64,
    annualVolatility: 0.6,
    annualDrift: 0.05,
    tape: 'C',
  },
  {
    symbol: 'JPM',
    name: 'JPMorgan Chase & Co.',
    shortName: 'JPMorgan',
    exchange: 'XNYS',
    asset_class: 'us_equity',
    sector: 'Financials',
    industry: 'Diversified Banks',
    startPrice: 184.8,
    annualVolatility: 0.22,
    annualDrift: 0.09,
    tape: 'A',
  },
  {
    symbol: 'V',
    name: 'Visa Inc.',
    shortName: 'Visa',
    exchange: 'XNYS',
    asset_class: 'us_equity',
    sector: 'Financials',
    industry: 'Transaction & Payment Processing Services',
    startPrice: 283.6,
    annualVolatility: 0.2,
    annualDrift: 0.08,
    tape: 'A',
  },
  {
    symbol: 'JNJ',
    name: 'Johnson & Johnson',
    shortName: 'J&J',
    exchange: 'XNYS',
    asset_class: 'us_equity',
    sector: 'Health Care',
    industry: 'Pharmaceuticals',
    startPrice: 161.2,
    annualVolatility: 0.2,
    annualDrift: 0.05,
    tape: 'A',
  },
] satisfies SymbolSpec[]);

/** The name used in post texts: `shortName`, else `name` without legal suffixes. */
export function displayName(spec: SymbolSpec): string {
  if (spec.shortName) return spec.shortName;
  return spec.name.replace(/,?\s+(Inc\.|Corporation|Corp\.|& Co\.|Co\.|Ltd\.|plc|N\.V\.)$/i, '').trim();
}
