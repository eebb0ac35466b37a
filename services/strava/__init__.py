"""Strava: riders link their account; their activities mark attendance on rides."""
