"""Pure tiering computation: RFM, Pareto, composite, badges and the A1-C6 matrix.

Nothing in this package imports Django: a selector builds one aggregated pandas frame,
`pipeline.place_accounts` scores and places every account, and a service stores the result.
"""
