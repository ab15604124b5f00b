import { ASSET_CLASSES, type AssetClass } from '../contracts/index.js';
import { ConfigError, type LakeSession, literal } from '../layers/index.js';

/** How models place a symbol that has no reference data, and where a 24/7 market's day starts. */
export interface MarketDefaults {
  /** Asset class of a symbol whose source says nothing (sql/macros/source_market.sql). */
  defaultAssetClass: AssetClass;
  /** Start of a crypto session, in minutes after midnight UTC (0: the UTC day). */
  cryptoSessionCutMinutes: number;
}

/**
 * Read DEFAULT_ASSET_CLASS (us_equity or crypto; default us_equity) and CRYPTO_SESSION_CUT (HH:MM
 * UTC; default 00:00) from the environment. A bad value is a configuration error, never a guess.
 */
export function marketDefaults(env: NodeJS.ProcessEnv = process.env): MarketDefaults {
  const cls = env.DEFAULT_ASSET_CLASS?.trim() || 'us_equity';
  if (!(ASSET_CLASSES as readonly string[]).includes(cls))
    throw new ConfigError(`DEFAULT_ASSET_CLASS: must be one of ${ASSET_CLASSES.join(', ')}`);
  const cut = env.CRYPTO_SESSION_CUT?.trim() || '00:00';
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(cut);
  if (!m) throw new ConfigError('CRYPTO_SESSION_CUT: must be HH:MM (UTC), e.g. 00:00 or 16:00');
  return {
    defaultAssetClass: cls as AssetClass,
    cryptoSessionCutMinutes: Number(m[1]) * 60 + Number(m[2]),
  };
}

/** Set the variables the session macros read (default_asset_class, crypto_session_cut_minutes). */
export async function setMarketVariables(
  session: LakeSession,
  defaults: MarketDefaults = marketDefaults(),
): Promise<void> {
  await session.connection.run(`SET VARIABLE default_asset_class = ${literal(defaults.defaultAssetClass)}`);
  await session.connection.run(
    `SET VARIABLE crypto_session_cut_minutes = ${Math.trunc(defaults.cryptoSessionCutMinutes)}`,
  );
}
