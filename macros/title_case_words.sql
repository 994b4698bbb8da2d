{% macro title_case_words(expression) -%}
    {{ return(adapter.dispatch('title_case_words', 'fxa_metrics')(expression)) }}
{%- endmacro %}

{# 'apple_pay' -> 'Apple Pay': underscores become spaces, each word capitalised #}
{% macro default__title_case_words(expression) -%}
    array_to_string(
        list_transform(
            string_split(replace({{ expression }}, '_', ' '), ' '),
            lambda word: upper(word[1]) || lower(word[2:])
        ),
        ' '
    )
{%- endmacro %}

{% macro bigquery__title_case_words(expression) -%}
    initcap(replace({{ expression }}, '_', ' '))
{%- endmacro %}
