-- W2 per-user aggregate over every transaction: one row per UserId (about 134K users at 1M rows, 248K at 10M,
-- Zipf-skewed: the heaviest user has 7.7% of the rows).
-- Transactions = count(*), TotalAmount / MeanAmount / MaxAmount over the non-null amounts (null for a user whose
-- amounts are all null), Merchants = the exact count of distinct MerchantId, ApproxMerchants = DuckDB's
-- approx_count_distinct (HyperLogLog) of MerchantId.
-- Placeholders: {{THREADS}} {{INPUT}} {{OUTPUT}}.
SET threads = {{THREADS}};
COPY (
    SELECT UserId,
           count(*) AS Transactions,
           sum(Amount) AS TotalAmount,
           avg(Amount) AS MeanAmount,
           max(Amount) AS MaxAmount,
           count(DISTINCT MerchantId) AS Merchants,
           approx_count_distinct(MerchantId) AS ApproxMerchants
    FROM read_parquet('{{INPUT}}')
    GROUP BY UserId
) TO '{{OUTPUT}}' (FORMAT parquet, COMPRESSION snappy, PER_THREAD_OUTPUT true);
SELECT count(*) FROM read_parquet('{{OUTPUT}}/*.parquet')
