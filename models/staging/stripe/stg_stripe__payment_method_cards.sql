with

payment_method_card as (
    {{ select_source_contract('stripe', 'payment_method_card') }}
),

renamed as (
    select
        cast(payment_method_id as {{ dbt.type_string() }}) as payment_method_id,
        lower(cast(brand as {{ dbt.type_string() }})) as card_brand,
        lower(nullif(trim(cast(wallet_type as {{ dbt.type_string() }})), '')) as wallet_type
    from payment_method_card
)

select * from renamed
