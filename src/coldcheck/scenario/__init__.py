"""Scenarios: a shoot day (or a disaster) written as a YAML file, replayed step by step against a
throwaway production, each step checked against what the author expected.

    model     the typed scenario: cast, stores, firearms, ammunition, steps, expectations
    actions   the catalogue of actions a step can take and their arguments (pure data)
    loader    YAML -> Scenario, every error naming the file and the line (nothing is run)
    runner    plays a Scenario through the application's handlers with a simulated clock
    dispatch  one function per action: the handler it calls and how its arguments map
    report    the text and JSON a person or a script reads

A scenario's ledger is a simulation: a temporary store, throwaway PINs and node key, the
test-only fast key derivation. It is deleted after the run and is never a production record.
"""
