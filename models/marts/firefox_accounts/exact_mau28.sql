{# user-facing view of exact_mau28_v1 #}
with

exact_mau28_v1 as (
    select * from {{ ref('exact_mau28_v1') }}
)

select * from exact_mau28_v1
