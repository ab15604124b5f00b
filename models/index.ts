export {
  type BuildPlan,
  changedPartitions,
  definitionHash,
  type ModelRunProperties,
  type PlannedBuild,
  type PlanOptions,
  planBuild,
} from './build-plan.js';
export {
  acceptedValues,
  type BarColumns,
  barRules,
  type CheckOptions,
  customSql,
  dailyVolumeMatchesVendor,
  freshness,
  noMissingMinuteBars,
  notNull,
  partitionScopeSql,
  quotesNotCrossed,
  range,
  relationship,
  rowCountAnomaly,
  rowCountBetween,
  rowRule,
  uniqueKey,
} from './checks.js';
export { ALERT_RULES } from './fact-alerts.model.js';
export {
  type BacktestResult,
  type Comparison,
  FORECAST_MODELS,
  type ForecastModel,
  runBacktest,
} from './forecast/backtest.js';
export {
  type BacktestSeries,
  loadAlgoSeekDaily,
  loadStockNet,
  parkinsonVariance,
} from './forecast/backtest-data.js';
export {
  renderBacktestHtml,
  renderBacktestMarkdown,
  renderChartSvg,
  verdict,
} from './forecast/backtest-report.js';
export { type DieboldMariano, dieboldMariano, normalCdf, qlike, rmse } from './forecast/evaluation.js';
export { EWMA_SESSIONS, ewmaVariance, RISKMETRICS_LAMBDA } from './forecast/ewma.js';
export {
  type DailyObservation,
  FORECAST_SETTINGS,
  type ForecastSettings,
  forecastVolatility,
  type VolForecast,
} from './forecast/forecaster.js';
export { leastSquares } from './forecast/ols.js';
export { tablesReadBy } from './lineage.js';
export { type MarketDefaults, marketDefaults, setMarketVariables } from './market-defaults.js';
export {
  type AnomalySettings,
  byPartition,
  CHECK_KINDS,
  type CheckKind,
  FULL_REFRESH,
  type IncrementalStrategy,
  type ModelCheck,
  type ModelColumn,
  type ModelDefinition,
  type ModelStep,
  modelName,
  modelSqlPath,
  type Severity,
} from './model.js';
export { type ModelRunResult, modelSql, runModel, setInputRange } from './model-runner.js';
export {
  addDays,
  type DateRange,
  datesBetween,
  isPartitionDate,
  parsePartitionDate,
  toRanges,
} from './partition-dates.js';
export { MODELS } from './registry.js';
export {
  FINANCE_SCORER_NAME,
  FinanceModelArtifact,
  FinanceSentimentModel,
} from './sentiment/finance-model.js';
export {
  DEFAULT_LABELLED_DIR,
  type LabelledData,
  loadLabelledData,
  SENTIMENT_CLASSES,
  type SentimentClass,
} from './sentiment/labelled-data.js';
export { type ClassificationMetrics, classificationMetrics, confusionMarkdown } from './sentiment/metrics.js';
export {
  latestFinanceModelVersion,
  listFinanceModels,
  loadFinanceArtifact,
  loadFinanceModel,
  saveFinanceModel,
} from './sentiment/model-store.js';
export {
  configureSentimentScoring,
  SCORER_KINDS,
  type ScorerKind,
  SentimentScoringConfig,
  scorerFor,
  sentimentScoring,
} from './sentiment/scorer-config.js';
export { TOKENIZER_VERSION, terms, tokenize } from './sentiment/tokenizer.js';
export {
  evaluateSentiment,
  type SentimentEvaluation,
  type SentimentTrainOptions,
  trainFinanceSentiment,
  vaderLabel,
} from './sentiment/train.js';
export { SENTIMENT_SCORER, sentimentLabel, sentimentScore } from './sentiment/vader-scorer.js';
