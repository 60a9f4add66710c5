-- 95% Wilson score interval of a proportion x/n (NULL when n = 0): [low, high].
create or replace temp macro wilson_interval(x, n, z := 1.959963984540054) as
    case when n > 0 then [
        greatest(0.0, ((x / n) + z * z / (2 * n) - z * sqrt((x / n) * (1 - x / n) / n + z * z / (4 * n * n))) / (1 + z * z / n)),
        least(1.0, ((x / n) + z * z / (2 * n) + z * sqrt((x / n) * (1 - x / n) / n + z * z / (4 * n * n))) / (1 + z * z / n))
    ] end;

-- x/n (counts) to 4 decimal places, a half rounded up, computed on the integers: exact on every
-- engine (71/160 = 0.44375 is stored as a double a shade below the half, and DuckDB and Spark round
-- that double differently). NULL when n = 0.
create or replace temp macro rounded_share(x, n) as
    case when n > 0 then ((x * 20000 + n) // (2 * n))::double / 10000 end;
