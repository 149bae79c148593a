-- The spec's B2B example card (examples/b2b_saas.health) as ONE DuckDB query: what a data
-- engineer would otherwise write, benchmarked beside healthc and ../shared/bench/handwritten_b2b
-- (whose header describes the same SQL semantics; its output should match this byte for byte).
-- bench/duckdb_run.mjs replaces {{input}} with the CSV path and wraps the query in COPY ... TO.
--
-- Card semantics in SQL terms: every cell is read as text (all_varchar), an empty cell is
-- NULL, numbers are CAST (a non-number is an error, as in healthc). A missing value makes a
-- measure unscored (NULL); a group's or model's score is the weighted mean over its scored
-- children, i.e. SUM(w * COALESCE(s, 0)) / SUM(w * (s IS NOT NULL)). A comparison with NULL is
-- not true, so CASE falls to ELSE and a condition on a missing value does not match. Every
-- expression keeps the order of the hand-written program's (no reassociation).
WITH
src AS (
  SELECT
    account_id,
    tier,
    csm_pulse,
    CAST(days_live AS DOUBLE)       AS days,
    CAST(active_users AS DOUBLE)    AS act,
    CAST(seats AS DOUBLE)           AS seats,
    CAST(p1_open AS DOUBLE)         AS p1,
    CAST(nps AS DOUBLE)             AS nps,
    CAST(logins_30d AS DOUBLE)      AS l30,
    CAST(logins_prev_30d AS DOUBLE) AS lprev
  FROM read_csv('{{input}}', header = true, delim = ',', quote = '"', all_varchar = true)
),
v AS (  -- measure values: division by zero and pct_change with before 0 are NULL
  SELECT *,
    act / NULLIF(seats, 0)              AS ad,  -- adoption.value
    (l30 - lprev) / NULLIF(lprev, 0)    AS tr   -- usage_trend.value = pct_change(l30, lprev)
  FROM src
),
s AS (  -- measure scores (NULL = unscored); the segment
  SELECT *,
    CASE WHEN ad <= 0.1 THEN 0.0 WHEN ad >= 0.8 THEN 100.0
         ELSE (ad - 0.1) / 0.7 * 100.0 END                                   AS s_adoption,
    CASE WHEN tr <= -0.5 THEN 0.0 WHEN tr <= 0 THEN (tr + 0.5) / 0.5 * 70.0
         WHEN tr >= 0.3 THEN 100.0 ELSE 70.0 + tr / 0.3 * 30.0 END          AS s_trend,
    CASE WHEN p1 < 1 THEN 100.0 WHEN p1 < 3 THEN 60.0 ELSE 20.0 END          AS s_support,
    CASE WHEN nps <= -100 THEN 0.0 WHEN nps >= 100 THEN 100.0
         ELSE (nps + 100.0) / 200.0 * 100.0 END                              AS s_sentiment,
    CASE csm_pulse WHEN 'green' THEN 100.0 WHEN 'yellow' THEN 50.0
                   WHEN 'red' THEN 0.0 END                                   AS s_csm,
    -- clamp(value * 100, 0, 100); GREATEST/LEAST skip NULLs, so a missing value is kept apart
    CASE WHEN ad IS NOT NULL
         THEN LEAST(GREATEST(ad / GREATEST(days, 1.0) * 30.0 * 100.0, 0.0), 100.0) END AS s_pace,
    CASE WHEN days < 90 THEN 'new_logo' WHEN tier = 'enterprise' THEN 'enterprise'
         ELSE 'default' END                                                  AS segment
  FROM v
),
g AS (  -- the product group (adoption 60, usage_trend 40) of models default and enterprise
  SELECT *,
    60 * (s_adoption IS NOT NULL)::INT + 40 * (s_trend IS NOT NULL)::INT    AS product_w
  FROM s
),
p AS (
  SELECT *,
    CASE WHEN product_w <> 0
         THEN (60 * COALESCE(s_adoption, 0) + 40 * COALESCE(s_trend, 0)) / product_w END AS s_product
  FROM g
),
w AS (  -- the weighted score of the segment's model, rounded half up
  SELECT *,
    FLOOR(CASE segment
      WHEN 'new_logo' THEN   -- model onboarding: onboarding_pace 50, adoption 30, support 20
        (50 * COALESCE(s_pace, 0) + 30 * COALESCE(s_adoption, 0) + 20 * s_support)
        / (50 * (s_pace IS NOT NULL)::INT + 30 * (s_adoption IS NOT NULL)::INT + 20)
      WHEN 'enterprise' THEN -- model enterprise: product 40, support 25, sentiment 10, csm 25
        (40 * COALESCE(s_product, 0) + 25 * s_support + 10 * COALESCE(s_sentiment, 0) + 25 * COALESCE(s_csm, 0))
        / (40 * (s_product IS NOT NULL)::INT + 25 + 10 * (s_sentiment IS NOT NULL)::INT + 25 * (s_csm IS NOT NULL)::INT)
      ELSE                   -- model default: product 40, support 25, sentiment 20, csm 15
        (40 * COALESCE(s_product, 0) + 25 * s_support + 20 * COALESCE(s_sentiment, 0) + 15 * COALESCE(s_csm, 0))
        / (40 * (s_product IS NOT NULL)::INT + 25 + 20 * (s_sentiment IS NOT NULL)::INT + 15 * (s_csm IS NOT NULL)::INT)
    END + 0.5) AS weighted
  FROM p
),
o AS (  -- the first matching override (collapse param = -50%)
  SELECT *,
    CASE WHEN tr <= -0.5 THEN 'collapse_red'
         WHEN segment = 'enterprise' AND p1 >= 5 AND nps < 0 THEN 'escalation'
         WHEN csm_pulse = 'red' THEN 'csm_red'
         ELSE '' END AS ovr
  FROM w
),
f AS (  -- the final score: `band critical` clamps into [0, 30], `score 10`, `cap 50`
  SELECT *,
    CASE ovr WHEN 'collapse_red' THEN LEAST(GREATEST(weighted, 0), 30)
             WHEN 'escalation' THEN 10
             WHEN 'csm_red' THEN LEAST(weighted, 50)
             ELSE weighted END AS final
  FROM o
)
SELECT
  account_id,
  segment,
  CAST(final AS INTEGER) AS score,
  CASE WHEN final >= 71 THEN 'healthy' WHEN final >= 31 THEN 'at_risk' ELSE 'critical' END AS band,
  CASE WHEN final >= 80 AND ad >= 0.9 THEN 'expand' WHEN final >= 50 THEN 'retain' ELSE 'action' END AS label,
  ovr AS "override"
FROM f
