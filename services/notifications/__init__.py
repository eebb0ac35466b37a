"""Notifications: domain events become e-mail (SES) and push (SNS) messages, by each
user's preferences; ride reminders are scheduled with EventBridge Scheduler."""
