"""The mathematics of the model: pure functions over numpy arrays (docs/model.md).

Utility and bargaining, the proposal and stance rules (Bueno de Mesquita's expected-utility model
among them), ratification and red lines, strike margins, outcome codes, statistics and the seeded
random streams. Nothing here knows about Mesa, scenario files or output: every layer above calls
these functions, and tests check them against closed forms.
"""
