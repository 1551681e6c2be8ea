-- W4 quality scan: one row of counts over every transaction and column.
-- Nulls: per column (TxId, UserId, MerchantId, Ts and Label are never null, but are counted, as a scan must read them).
-- Min and max: TxId, UserId, MerchantId, Ts, Amount, SessionSeconds (nulls left out).
-- Invalid (nulls are not invalid): UserId outside 1 ... 250000, Amount < 0, SessionSeconds < 0 or > 86400 (a day),
-- Country not two capital letters (regexp [A-Z]{2} on the whole value), Ts outside [2026-01-01, 2026-04-01).
-- Placeholders: {{THREADS}} {{INPUT}} {{OUTPUT}}.
SET threads = {{THREADS}};
COPY (
    SELECT count(*) AS Rows,
           count(*) - count(TxId) AS TxIdNulls,
           count(*) - count(UserId) AS UserIdNulls,
           count(*) - count(MerchantId) AS MerchantIdNulls,
           count(*) - count(Ts) AS TsNulls,
           count(*) - count(Country) AS CountryNulls,
           count(*) - count(Amount) AS AmountNulls,
           count(*) - count(SessionSeconds) AS SessionSecondsNulls,
           count(*) - count(Label) AS LabelNulls,
           min(TxId) AS TxIdMin,
           max(TxId) AS TxIdMax,
           min(UserId) AS UserIdMin,
           max(UserId) AS UserIdMax,
           min(MerchantId) AS MerchantIdMin,
           max(MerchantId) AS MerchantIdMax,
           min(Ts) AS TsMin,
           max(Ts) AS TsMax,
           min(Amount) AS AmountMin,
           max(Amount) AS AmountMax,
           min(SessionSeconds) AS SessionSecondsMin,
           max(SessionSeconds) AS SessionSecondsMax,
           count(*) FILTER (WHERE UserId NOT BETWEEN 1 AND 250000) AS UserIdInvalid,
           count(*) FILTER (WHERE Amount < 0) AS AmountInvalid,
           count(*) FILTER (WHERE SessionSeconds < 0 OR SessionSeconds > 86400) AS SessionSecondsInvalid,
           count(*) FILTER (WHERE NOT regexp_full_match(Country, '[A-Z]{2}')) AS CountryInvalid,
           count(*) FILTER (WHERE Ts < TIMESTAMP '2026-01-01' OR Ts >= TIMESTAMP '2026-04-01') AS TsInvalid
    FROM read_parquet('{{INPUT}}')
) TO '{{OUTPUT}}/quality.parquet' (FORMAT parquet, COMPRESSION snappy);
SELECT concat_ws(' ', Rows, CountryNulls, AmountNulls, SessionSecondsNulls, AmountInvalid, SessionSecondsInvalid, CountryInvalid, TsInvalid) FROM read_parquet('{{OUTPUT}}/quality.parquet')
