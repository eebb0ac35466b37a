"""Adapters: one class per outside service a context talks to (Cognito, S3, and later SES,
SNS, Strava, club endpoints), each in the shape of `adapter.Adapter`.

A store talks to the table; an adapter talks to anything else. Both speak the domain's
terms and raise domain errors, never the provider's.
"""
