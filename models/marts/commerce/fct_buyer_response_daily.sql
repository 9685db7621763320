{{ config(tags=['downstream']) }}
-- How fast each buyer answers, per UTC day: p50/p90/p99 of the first delivery attempt's
-- processing time (ms, the remote wait included) and of the remote wait alone, and the
-- attempts that timed out (reason category `timeout`, e.g. ESOCKETTIMEDOUT). Only attempts that
-- called the buyer count (skips do not).
{{ buyer_response_times(['delivery_date']) }}
