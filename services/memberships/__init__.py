"""Membership Service: joining clubs, applications, roles, leaving and removal."""
