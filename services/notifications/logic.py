"""Preference, device and unsubscribe rules: every user manages their own, and a signed
link stops one category of e-mail without signing in."""

import hashlib
from collections.abc import Callable

from notifications.schemas import DeviceOut, PreferencesChange, Unsubscribed
from notifications.store import MAX_DEVICES, NotificationStore
from notifications.tokens import read_token
from shared.adapters.push import PushGateway
from shared.authz import Capability, Principal, require
from shared.domain.clock import utc_now
from shared.domain.errors import Conflict, NotFound
from shared.domain.notifications import Category, Channel, Device, Preferences, PushPlatform


def my_preferences(principal: Principal, store: NotificationStore) -> Preferences:
    require(Capability.LIST_CLUBS, principal)  # any signed-in user, their own
    return store.preferences(principal.user_id)


def change_preferences(
    principal: Principal, change: PreferencesChange, store: NotificationStore
) -> Preferences:
    require(Capability.LIST_CLUBS, principal)
    current = store.preferences(principal.user_id)
    if change.version != current.version:
        raise Conflict(
            f"The preferences are at version {current.version}, not {change.version}.",
            code="version_conflict",
        )
    updated = change.applied_to(current)
    store.save_preferences(principal.user_id, current, updated)
    return updated


def token_ref(platform: PushPlatform, token: str) -> str:
    """A phone's push token, as the table knows it: the token itself is never stored or
    logged (SNS keeps it)."""
    return hashlib.sha256(f"{platform}:{token}".encode()).hexdigest()[:32]


def device_id(user_id: str, platform: PushPlatform, token: str) -> str:
    """Stable per account and phone: registering the same phone again is the same device,
    and another account's id for the same phone is another id."""
    return hashlib.sha256(f"{user_id}:{platform}:{token}".encode()).hexdigest()[:32]


def _out(device: Device) -> DeviceOut:
    return DeviceOut.model_validate(device.model_dump())


def register_device(
    principal: Principal,
    platform: PushPlatform,
    token: str,
    store: NotificationStore,
    push: PushGateway,
) -> tuple[DeviceOut, bool]:
    """The device, and whether it is new. A phone has one owner: a token another account
    holds (a shared or handed-down phone) moves to the caller, and the other account loses
    that device."""
    require(Capability.LIST_CLUBS, principal)
    wanted = device_id(principal.user_id, platform, token)
    devices = store.devices(principal.user_id)
    known = next((d for d in devices if d.device_id == wanted), None)
    if known is not None:
        return _out(known), False
    if len(devices) >= MAX_DEVICES:
        raise Conflict(f"At most {MAX_DEVICES} devices; remove one first.", code="too_many_devices")
    ref = token_ref(platform, token)
    previous = store.token_owner(ref)
    endpoint = push.register(
        platform, token, principal.user_id, previous.endpoint_arn if previous else None
    )
    device = Device(
        device_id=wanted,
        user_id=principal.user_id,
        platform=platform,
        endpoint_arn=endpoint,
        created_at=utc_now().isoformat(),
        token_ref=ref,
    )
    created = store.add_device(device, len(devices), previous)
    return _out(device), created


def my_devices(principal: Principal, store: NotificationStore) -> list[DeviceOut]:
    require(Capability.LIST_CLUBS, principal)
    return [_out(d) for d in store.devices(principal.user_id)]


def remove_device(
    principal: Principal, wanted: str, store: NotificationStore, push: PushGateway
) -> None:
    require(Capability.LIST_CLUBS, principal)
    devices = store.devices(principal.user_id)
    device = next((d for d in devices if d.device_id == wanted), None)
    if device is None:
        raise NotFound(f"No device with id '{wanted}'.", code="device_not_found")
    # The endpoint is the phone's: deleted only while this account still held it.
    if store.release_token(device):
        push.unregister(device.endpoint_arn)
    store.delete_device(device, len(devices))


def unsubscribe_category(token: str, secret: Callable[[], str]) -> Category:
    """The category a genuine link would stop (400 for any other); nothing changes."""
    return read_token(secret(), token)[1]


def unsubscribe(token: str, secret: Callable[[], str], store: NotificationStore) -> Unsubscribed:
    """Stop e-mail of the token's category for the token's user (idempotent)."""
    user_id, category = read_token(secret(), token)
    for _ in range(3):  # a concurrent change of the same preferences: read again
        current = store.preferences(user_id)
        if not current.allows(category, Channel.EMAIL):
            return Unsubscribed(category=category)
        choice = getattr(current, category.value).model_copy(update={"email": False})
        updated = current.model_copy(
            update={category.value: choice, "version": current.version + 1}
        )
        try:
            store.save_preferences(user_id, current, updated)
            return Unsubscribed(category=category)
        except Conflict:
            continue
    raise Conflict("The preferences keep changing; try the link again.", code="version_conflict")
