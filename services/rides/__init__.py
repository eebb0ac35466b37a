"""Ride Service: club rides, participation, waitlists, leaders, attendance, calendars."""
