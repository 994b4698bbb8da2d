{# user-facing view of fxa_event_counts_daily_v1 #}
with

fxa_event_counts_daily_v1 as (
    select * from {{ ref('fxa_event_counts_daily_v1') }}
)

select * from fxa_event_counts_daily_v1
