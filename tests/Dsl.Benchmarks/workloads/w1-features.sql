-- W1 features: filter, fit, then transform every kept row (README.md beside this file states each definition).
-- Kept rows: Amount IS NOT NULL AND Amount >= 0 (no NaN in the data).
-- Fitted on the kept rows: the mean and the POPULATION standard deviation of Amount (stddev_pop, divided by n),
-- the median of SessionSeconds (exact, quantile_cont 0.5: linear interpolation between the two middle values, nulls
-- left out) and the deciles of Amount (exact quantile_cont at 0.1 ... 0.9, duplicates removed).
-- Features: AmountZ z-score, LogAmount ln(1 + Amount), SessionSeconds imputed with the median, Hour of Ts, IsWeekend
-- (Saturday or Sunday), CountryBucket a hashed bucket of Country in [0, 1024) (DuckDB's hash, not Dsl's FNV-1a:
-- the same work, other numbers), AmountDecile = how many decile boundaries are at or below Amount (0 to 9).
-- Placeholders: {{THREADS}} {{INPUT}} (a glob of the transaction files) {{OUTPUT}} (a folder).
SET threads = {{THREADS}};
COPY (
    WITH valid AS (
        SELECT * FROM read_parquet('{{INPUT}}') WHERE Amount >= 0
    ),
    fit AS (
        SELECT avg(Amount) AS amount_mean,
               stddev_pop(Amount) AS amount_std,
               quantile_cont(SessionSeconds, 0.5) AS session_median,
               list_distinct(quantile_cont(Amount, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])) AS amount_deciles
        FROM valid
    )
    SELECT v.TxId,
           v.UserId,
           (v.Amount - f.amount_mean) / f.amount_std AS AmountZ,
           ln(1 + v.Amount) AS LogAmount,
           coalesce(v.SessionSeconds, f.session_median) AS SessionSeconds,
           hour(v.Ts) AS Hour,
           dayofweek(v.Ts) IN (0, 6) AS IsWeekend,
           (hash(v.Country) % 1024)::INTEGER AS CountryBucket,
           len(list_filter(f.amount_deciles, lambda b: b <= v.Amount))::INTEGER AS AmountDecile,
           v.Label
    FROM valid v CROSS JOIN fit f
) TO '{{OUTPUT}}' (FORMAT parquet, COMPRESSION snappy, PER_THREAD_OUTPUT true);
SELECT count(*) FROM read_parquet('{{OUTPUT}}/*.parquet')
