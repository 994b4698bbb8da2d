{#- one row per raw Google subscription version the lineage flags, with the rule broken (rules
    and actions: the model's yml) -#}
{{ store_input_quarantine(
    'Google', ref('stg_google__subscriptions_history'), 'purchase_token', 'sku',
    'unmapped_sku', 'Google SKU'
) }}
