import { dimDate } from './dim-date.model.js';
import { dimSymbol } from './dim-symbol.model.js';
import { factBars } from './fact-bars.model.js';
import type { ModelDefinition } from './model.js';
import { silverSymbolRefs } from './silver-symbol-refs.model.js';
import { silverTrades } from './silver-trades.model.js';

/** Every model of the project. Order does not matter: the DAG comes from each model's SQL. */
export const MODELS: readonly ModelDefinition[] = Object.freeze([
  silverSymbolRefs,
  silverTrades,
  dimSymbol,
  dimDate,
  factBars,
]);
