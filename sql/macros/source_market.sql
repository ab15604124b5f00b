-- source_asset_class(source): the market a symbol without reference data is taken for, from the
-- source that delivered it: crypto venues trade 24/7 (crypto), AlgoSeek and Polygon sell US stocks
-- (us_equity); any other source falls back to the configured default (DEFAULT_ASSET_CLASS, set as
-- the variable default_asset_class by the model runner; us_equity when unset). Reference data, when
-- a symbol has it, always wins over this guess.
create or replace macro source_asset_class(source) as
    case
        when lower(source) in (
            'binance', 'binance-us', 'binanceus', 'kraken', 'coinbase', 'bitstamp', 'bitfinex',
            'gemini', 'okx', 'bybit', 'kucoin', 'bitmex', 'deribit', 'huobi', 'gateio'
        ) then 'crypto'
        when lower(source) in ('algoseek', 'polygon', 'iex', 'nyse', 'nasdaq') then 'us_equity'
        else coalesce(getvariable('default_asset_class'), 'us_equity')
    end
