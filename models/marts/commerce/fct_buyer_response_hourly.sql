{{ config(tags=['downstream']) }}
-- How fast each buyer answers by UTC hour of day, over all history: p50/p90/p99 of the first
-- delivery attempt's processing time and the attempts that timed out (a buyer that slows down
-- in its busy hours shows here).
{{ buyer_response_times(['hour_utc']) }}
