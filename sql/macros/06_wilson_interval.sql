-- 95% Wilson score interval of a proportion x/n (NULL when n = 0): [low, high].
create or replace temp macro wilson_interval(x, n, z := 1.959963984540054) as
    case when n > 0 then [
        greatest(0.0, ((x / n) + z * z / (2 * n) - z * sqrt((x / n) * (1 - x / n) / n + z * z / (4 * n * n))) / (1 + z * z / n)),
        least(1.0, ((x / n) + z * z / (2 * n) + z * sqrt((x / n) * (1 - x / n) / n + z * z / (4 * n * n))) / (1 + z * z / n))
    ] end
