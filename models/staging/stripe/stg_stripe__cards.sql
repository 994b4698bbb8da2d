with

card as (
    {{ select_source_contract('stripe', 'card') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as card_id,
        upper(nullif(trim(cast(country as {{ dbt.type_string() }})), '')) as country_code,
        lower(nullif(trim(cast(wallet_type as {{ dbt.type_string() }})), '')) as wallet_type
    from card
)

select * from renamed
