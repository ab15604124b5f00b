export { API_ROUTES, type ApiResult, type ApiRoute, type ApiSources } from './api-routes.js';
export { BAR_INTERVALS } from './api-schemas.js';
export type {
  AlertsQuery,
  BarsQuery,
  GoldReader,
  Row,
  SilverReader,
  TimeRange,
  TradesQuery,
} from './gold-reader.js';
export { HttpError } from './http.js';
export { LakeReader, type LakeReaderOptions } from './lake-reader.js';
export { type LiveFeed, LiveHub, lakeAlertPoller, redisLiveFeed } from './live.js';
export { API_PREFIX, buildOpenApi } from './openapi.js';
export { PostgresReader, positionalSql } from './postgres-reader.js';
export { buildServer, type ServerOptions, webRoot } from './server.js';
export { openUi, type UiApp, type UiOptions } from './ui-app.js';
