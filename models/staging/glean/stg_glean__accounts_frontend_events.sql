{{ glean_stage_events_stream('accounts_frontend') }}
