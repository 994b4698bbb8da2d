with

accounts_event_counts_daily as (
    select * from {{ ref('accounts_event_counts_daily_v1') }}
)

select * from accounts_event_counts_daily
