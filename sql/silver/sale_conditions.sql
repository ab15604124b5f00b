-- silver.sale_conditions: the sale-condition eligibility table: which trades may set a bar's open and
-- close, its high and low, and its volume. Reference data kept in this file (version below).
-- Grain: one row per rule set per standard condition. Key: (rule_set, condition). Unpartitioned.
-- Parameters: none (no input table; a change to this file rebuilds it and everything downstream).
--
-- Rule set `consolidated` is the CTA and UTP plans' consolidated last-sale matrix (CTS and UTDF
-- specifications), as Polygon.io publishes it per condition in its v3 reference conditions
-- (`update_rules.consolidated`: updates_open_close, updates_high_low, updates_volume; a copy of
-- ids 1-10 is in ../shared/data/vendor-wire-fixtures/polygon/v3__reference__conditions_asset_class-stocks.json).
-- A trade with several conditions updates a figure only if every one of its conditions allows it.
-- The plans' matrix covers the regular session; the `extended_*` columns say what builds a bar
-- outside it, where the plans compute no last sale: Form T prints (and extended-hours out-of-sequence
-- prints for high/low), as SIP-based bar builders do, so pre- and post-market bars exist.
-- Rule set `algoseek` applies to source `algoseek` (a rule set named after a source applies to that
-- source; every other source uses `consolidated`). It is the consolidated set with the conventions
-- of AlgoSeek's own minute bars (../shared/data/us-equity-ticks-algoseek/minute_bars), measured on
-- 2013-10-07 and checked on 2013-10-08/09 (held out): intermarket sweep prints set no price during
-- the regular session (683 of the 164,851 regular-session ISO prints of 2013-10-07 lay outside the
-- vendor's range for their minute, and none that stood beyond the minute's other prints set its high
-- or low); derivatively priced prints set no price at all; outside the regular session every print
-- that counts in volume sets prices, average-price and other special-settlement prints included.
-- With the consolidated set alone AlgoSeek's minutes agree 78% (derivation day) and 76% (held out);
-- with these rows 99.3% on both. Vendor habits seen in a handful of minutes are not adopted: a sold
-- out of sequence print (0x4800, the plans' Z) setting an open or close (2 minutes), next-day, cash
-- and average-price prints without the trade-through-exempt flag setting a price (6 minutes).
-- Whatever may set the open or close may also set the high and low, so open and close lie in
-- [low, high] (a check of the model). Official open/close reports (Q, M) are prices a market center
-- publishes, not trades: they count nowhere, and instead mark the 1d bar's official open and close
-- (marks_official_open/close, as opening and closing auction prints do).
-- Version: bump `rules_version` whenever a row changes.
with consolidated (
    condition,
    condition_name,
    cta_code,
    utp_code,
    polygon_ids,
    algoseek_flags,
    marketlake_words,
    updates_open_close,
    updates_high_low,
    updates_volume,
    extended_updates_open_close,
    extended_updates_high_low,
    marks_official_open,
    marks_official_close
) as (
    values
        ('regular', 'Regular Sale', '@', '@', [0], ['0x00000001'], [], true, true, true, true, true, false, false),
        ('acquisition', 'Acquisition', null, 'A', [1], ['0x00010000'], [], true, true, true, true, true, false, false),
        ('average_price', 'Average Price Trade', 'B', 'W', [2], ['0x00100000'], [], false, false, true, false, false, false, false),
        ('automatic_execution', 'Automatic Execution', 'E', null, [3], ['0x10000000'], [], true, true, true, true, true, false, false),
        ('bunched', 'Bunched Trade', null, 'B', [4], ['0x00020000'], [], true, true, true, true, true, false, false),
        ('bunched_sold', 'Bunched Sold Trade', null, 'G', [5], [], [], false, true, true, false, true, false, false),
        ('cap_election', 'CAP Election (CTA I before odd lots took the letter)', null, null, [6], ['0x08000000'], [], true, true, true, true, true, false, false),
        ('cash_sale', 'Cash Sale', 'C', 'C', [7], ['0x00000002'], [], false, false, true, false, false, false, false),
        ('closing_prints', 'Closing Prints / Market Center Closing Trade', '6', '6', [8, 19], ['0x00000080'], [], true, true, true, true, true, false, true),
        ('cross', 'Cross Trade', 'X', 'X', [9], ['0x00200000'], [], true, true, true, true, true, false, false),
        ('derivatively_priced', 'Derivatively Priced', '4', '4', [10], ['0x00000200'], [], false, true, true, false, true, false, false),
        ('distribution', 'Distribution', null, 'D', [11], ['0x00080000'], [], true, true, true, true, true, false, false),
        ('form_t', 'Form T / Extended Hours Trade', 'T', 'T', [12], ['0x00000400', '0x00002000'], [], false, false, true, true, true, false, false),
        ('extended_hours_sold_out_of_sequence', 'Extended Hours Sold (Out of Sequence)', 'U', 'U', [13], [], [], false, false, true, false, true, false, false),
        ('intermarket_sweep', 'Intermarket Sweep', 'F', 'F', [14], ['0x00000020'], [], true, true, true, true, true, false, false),
        ('official_close', 'Market Center Official Close', 'M', 'M', [15], ['0x01000000'], [], false, false, false, false, false, false, true),
        ('official_open', 'Market Center Official Open', 'Q', 'Q', [16], ['0x04000000'], [], false, false, false, false, false, true, false),
        ('opening_prints', 'Opening Prints / Market Center Opening Trade', 'O', 'O', [17, 25], ['0x00000040'], [], true, true, true, true, true, true, false),
        ('reopening_prints', 'Re-Opening Prints / Market Center Reopening Trade', '5', '5', [18, 28], ['0x00000100'], [], true, true, true, true, true, false, false),
        ('next_day', 'Next Day', 'N', 'N', [20], ['0x00000004'], [], false, false, true, false, false, false, false),
        ('price_variation', 'Price Variation Trade', 'H', 'H', [21], ['0x00400000'], [], false, false, true, false, false, false, false),
        ('prior_reference_price', 'Prior Reference Price', 'P', 'P', [22], ['0x02000000'], [], false, true, true, false, true, false, false),
        ('rule_127_155', 'Rule 127 (NYSE) / Rule 155 (NYSE MKT) Trade', 'K', 'K', [23, 24], ['0x00800000'], [], true, true, true, true, true, false, false),
        ('stopped_stock', 'Stopped Stock (Regular Trade)', null, '1', [27], ['0x00001000'], [], true, true, true, true, true, false, false),
        ('seller', 'Seller', 'R', 'R', [29], ['0x00000008'], [], false, false, true, false, false, false, false),
        ('sold_last', 'Sold Last (late reporting, in sequence)', 'L', 'L', [30, 31], ['0x00000800'], [], true, true, true, true, true, false, false),
        ('sold_out_of_sequence', 'Sold (Out of Sequence)', 'Z', 'Z', [32, 33], ['0x00004000'], [], false, true, true, false, true, false, false),
        ('split', 'Split Trade', null, 'S', [34], ['0x00008000'], [], true, true, true, true, true, false, false),
        ('stock_option', 'Stock Option Trade', null, null, [35], ['0x00040000'], [], true, true, true, true, true, false, false),
        ('yellow_flag', 'Yellow Flag Regular Trade', null, 'Y', [36], ['0x00000010'], [], true, true, true, true, true, false, false),
        ('odd_lot', 'Odd Lot Trade', 'I', 'I', [37], ['0x80000000'], [], false, false, true, false, false, false, false),
        ('corrected_consolidated_close', 'Corrected Consolidated Close (per listing market)', '9', '9', [38], [], [], true, true, false, true, true, false, false),
        ('trade_through_exempt', 'Trade Through Exempt (indicator, no effect)', null, null, [41], ['0x20000000'], [], true, true, true, true, true, false, false),
        ('contingent', 'Contingent Trade', 'V', 'V', [52], [], [], false, false, true, false, false, false, false),
        ('qualified_contingent', 'Qualified Contingent Trade', '7', '7', [53], [], [], false, false, true, false, false, false, false),
        ('exempt_611_placeholder', 'Placeholder for 611 Exempt (no effect)', '8', '8', [59], [], [], true, true, true, true, true, false, false),
        -- marketlake's own condition words (silver.trades): a cancel removes its trade, a correction
        -- replaces it, a suspicious print is left out of every bar; none changes eligibility.
        ('cancel', 'Cancel or error (marketlake word)', null, null, [], [], ['CANCEL', 'CANCELED', 'CANCELLED', 'ERROR'], true, true, true, true, true, false, false),
        ('correction', 'Correction (marketlake word)', null, null, [], [], ['CORRECTION', 'CORRECTED'], true, true, true, true, true, false, false),
        ('suspicious', 'Suspicious print (marketlake word)', null, null, [], [], ['SUSPICIOUS'], true, true, true, true, true, false, false)
),

-- AlgoSeek's minute bars differ from the consolidated set only in these rows (null: as consolidated).
algoseek_overrides (
    condition,
    updates_open_close,
    updates_high_low,
    extended_updates_open_close,
    extended_updates_high_low
) as (
    values
        ('intermarket_sweep', false, false, null, null),
        ('derivatively_priced', false, false, false, false),
        ('average_price', null, null, true, true),
        ('bunched_sold', null, null, true, null),
        ('cash_sale', null, null, true, true),
        ('contingent', null, null, true, true),
        ('extended_hours_sold_out_of_sequence', null, null, true, null),
        ('next_day', null, null, true, true),
        ('odd_lot', null, null, true, true),
        ('price_variation', null, null, true, true),
        ('prior_reference_price', null, null, true, null),
        ('qualified_contingent', null, null, true, true),
        ('seller', null, null, true, true),
        ('sold_out_of_sequence', null, null, true, null)
),

algoseek as (
    select
        'algoseek' as rule_set,
        c.condition,
        c.condition_name,
        c.cta_code,
        c.utp_code,
        c.polygon_ids,
        c.algoseek_flags,
        c.marketlake_words,
        coalesce(o.updates_open_close, c.updates_open_close) as updates_open_close,
        coalesce(o.updates_high_low, c.updates_high_low) as updates_high_low,
        c.updates_volume,
        coalesce(o.extended_updates_open_close, c.extended_updates_open_close) as extended_updates_open_close,
        coalesce(o.extended_updates_high_low, c.extended_updates_high_low) as extended_updates_high_low,
        c.marks_official_open,
        c.marks_official_close,
        case
            when o.condition is null then 'CTA/UTP consolidated matrix (as rule set consolidated)'
            else 'AlgoSeek minute bars, measured (derived on 2013-10-07, held out 2013-10-08/09)'
        end as basis
    from consolidated as c
    left join algoseek_overrides as o on c.condition = o.condition
),

final as (
    select
        'consolidated' as rule_set,
        *,
        case
            when condition in ('cancel', 'correction', 'suspicious') then 'marketlake condition word'
            when condition in ('form_t', 'extended_hours_sold_out_of_sequence')
                then 'CTA/UTP consolidated matrix; extended hours: Form T prints build the bar'
            else 'CTA/UTP consolidated matrix (Polygon v3 reference conditions, update_rules.consolidated)'
        end as basis
    from consolidated
    union all by name
    select * from algoseek
)

select *, 1 as rules_version from final
order by rule_set, condition
