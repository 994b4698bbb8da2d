{#- one row per raw Apple subscription version the lineage flags, with the rule broken (rules
    and actions: the model's yml) -#}
{{ store_input_quarantine(
    'Apple', ref('stg_apple__subscriptions_history'), 'original_transaction_id', 'product_id',
    'unmapped_product', 'Apple product'
) }}
