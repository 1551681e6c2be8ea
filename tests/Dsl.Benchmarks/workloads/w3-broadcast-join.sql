-- W3 broadcast join: transactions with Amount >= 10 and a SessionSeconds, inner-joined on Country = Code with the
-- 200-row countries table (rows of null, invalid or unknown countries find no match and are dropped), writing the
-- transaction's columns and the country's Name, Region and RiskWeight.
-- Placeholders: {{THREADS}} {{INPUT}} {{COUNTRIES}} (the dimension file) {{OUTPUT}}.
SET threads = {{THREADS}};
COPY (
    SELECT t.TxId,
           t.UserId,
           t.Ts,
           t.Amount,
           t.Country,
           c.Name AS CountryName,
           c.Region,
           c.RiskWeight
    FROM read_parquet('{{INPUT}}') t
    JOIN read_parquet('{{COUNTRIES}}') c ON t.Country = c.Code
    WHERE t.Amount >= 10 AND t.SessionSeconds IS NOT NULL
) TO '{{OUTPUT}}' (FORMAT parquet, COMPRESSION snappy, PER_THREAD_OUTPUT true);
SELECT count(*) FROM read_parquet('{{OUTPUT}}/*.parquet')
