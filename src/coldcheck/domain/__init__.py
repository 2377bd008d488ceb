"""The pure domain: values, events, state, and the decide/evolve functions.

Imports the standard library and itself only. Time, ids, the actor and keys come in as
arguments; nothing here reads a clock, a file, a database or the environment.
"""
