/** One valid trade in contract shape: the record the ingestion corpora vary. */
export const GOOD_TRADE = {
  symbol: 'AAPL',
  event_at: '2024-03-04T14:30:00.123456Z',
  price: 170.25,
  size: 100,
  exchange: 'P',
  trade_id: '42',
  conditions: ['@'],
  tape: 'C',
  source: 'vendor',
};
