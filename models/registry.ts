import { dimDate } from './dim-date.model.js';
import { dimIndexMembership } from './dim-index-membership.model.js';
import { dimSymbol } from './dim-symbol.model.js';
import { factAlerts } from './fact-alerts.model.js';
import { factBars } from './fact-bars.model.js';
import { factDailyMarket } from './fact-daily-market.model.js';
import { factDailySentiment } from './fact-daily-sentiment.model.js';
import { factSentimentVolatility } from './fact-sentiment-volatility.model.js';
import { factVolForecast } from './fact-vol-forecast.model.js';
import type { ModelDefinition } from './model.js';
import { silverBars } from './silver-bars.model.js';
import { silverCorporateActions } from './silver-corporate-actions.model.js';
import { silverIndexChanges } from './silver-index-changes.model.js';
import { silverQuotes } from './silver-quotes.model.js';
import { silverSaleConditionCodes } from './silver-sale-condition-codes.model.js';
import { silverSaleConditions } from './silver-sale-conditions.model.js';
import { silverSentimentPosts } from './silver-sentiment-posts.model.js';
import { silverSentimentScores } from './silver-sentiment-scores.model.js';
import { silverSymbolRefs } from './silver-symbol-refs.model.js';
import { silverTrades } from './silver-trades.model.js';

/** Every model of the project. Order does not matter: the DAG comes from each model's SQL. */
export const MODELS: readonly ModelDefinition[] = Object.freeze([
  silverSymbolRefs,
  silverSaleConditions,
  silverSaleConditionCodes,
  silverTrades,
  silverQuotes,
  silverBars,
  silverCorporateActions,
  silverIndexChanges,
  silverSentimentScores,
  silverSentimentPosts,
  dimSymbol,
  dimDate,
  dimIndexMembership,
  factBars,
  factDailyMarket,
  factDailySentiment,
  factSentimentVolatility,
  factAlerts,
  factVolForecast,
]);
