{# user-facing view of fxa_all_events_v1 #}
with

fxa_all_events_v1 as (
    select * from {{ ref('fxa_all_events_v1') }}
)

select * from fxa_all_events_v1
