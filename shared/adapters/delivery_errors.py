"""How a message to the outside world can fail, in terms a consumer acts on."""


class RetryLater(Exception):
    """The provider is throttling or briefly failing: retry the message later (the queue
    redelivers it after its visibility timeout)."""


class DeliveryRefused(Exception):
    """The provider refused this message for good (a rejected address, an unverified
    sender): retrying will not help; the message ends in the dead-letter queue."""


class EndpointGone(Exception):
    """The push endpoint was disabled by the platform (an uninstalled app, an expired
    token): the device is pruned."""
