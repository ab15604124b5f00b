-- silver.sale_condition_codes: how each source writes the standard sale conditions of
-- silver.sale_conditions, so silver.trades can decode every vendor's codes the same way.
-- Grain: one row per source, plan and code. Key: (source, plan, code). Unpartitioned.
-- Parameters: none (everything comes from silver.sale_conditions, the one place codes are kept).
-- - alpaca, simulator: CTA/UTP letters (the SIP's own codes); `plan` says which plan's letters:
--   silver.trades reads a trade's letters by its tape (A and B: CTA, C: UTP). Only B (CTA average
--   price, UTP bunched) and E (CTA automatic execution, a UTP placeholder) differ between the plans.
-- - polygon: Polygon's numeric condition ids (v3 reference conditions).
-- - algoseek: bit flags of AlgoSeek's hexadecimal condition field (QuantConnect/Lean
--   Data/equity/readme.md, "Tick Sale Conditions"); flag_mask is the bit, and a print carries every
--   condition whose bit is set (0x20000020 = intermarket sweep + trade through exempt).
-- - `*`: marketlake's own condition words (CANCEL, CORRECTION, SUSPICIOUS, ...), any source.
-- Letters and words match case-insensitively; blank codes are ignored.
with conditions as (
    select * from silver.sale_conditions where rule_set = 'consolidated'
),

letters as (
    select 'cta' as plan, cta_code as code, condition from conditions where cta_code is not null
    union all
    select 'utp' as plan, utp_code as code, condition from conditions where utp_code is not null
),

letter_sources (source) as (
    values ('alpaca'), ('simulator')
),

polygon as (
    select cast(unnest(polygon_ids) as varchar) as code, condition from conditions
),

algoseek as (
    select unnest(algoseek_flags) as code, condition from conditions
),

words as (
    select unnest(marketlake_words) as code, condition from conditions
),

final as (
    select s.source, l.plan, l.code, cast(null as ubigint) as flag_mask, l.condition
    from letter_sources as s
    cross join letters as l
    union all
    select 'polygon' as source, null as plan, code, null as flag_mask, condition from polygon
    union all
    select 'algoseek' as source, null as plan, code, cast(code as ubigint) as flag_mask, condition
    from algoseek
    union all
    select '*' as source, null as plan, code, null as flag_mask, condition from words
)

select * from final
order by source, plan, code
