{{ glean_stage_events_stream('accounts_backend') }}
