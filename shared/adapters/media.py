"""The assets bucket: presigned uploads under a caller's prefix, and what was uploaded."""

from typing import Any

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.domain.errors import ServiceUnavailable


class MediaBucket(Adapter):
    def __init__(self, client: ClientSource, bucket: str | None) -> None:
        super().__init__(client)
        self.bucket = bucket

    def _name(self) -> str:
        if not self.bucket:
            raise ServiceUnavailable("This function is not connected to the assets bucket.")
        return self.bucket

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> dict[str, Any]:
        """A POST policy that fixes the key, the content type and the size range."""
        post: dict[str, Any] = self.client.generate_presigned_post(
            Bucket=self._name(),
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_in,
        )
        return post

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self._name(), Key=key)
        except ClientError:
            return False
        return True

    def read(self, key: str, max_bytes: int) -> bytes | None:
        """The object's bytes, or None when it is gone or larger than `max_bytes`."""
        try:
            answer = self.client.get_object(Bucket=self._name(), Key=key)
        except ClientError:
            return None
        if int(answer.get("ContentLength") or 0) > max_bytes:
            answer["Body"].close()
            return None
        data: bytes = answer["Body"].read(max_bytes + 1)
        return data if len(data) <= max_bytes else None

    def write(
        self,
        key: str,
        data: bytes,
        content_type: str,
        cache_control: str,
        disposition: str | None = None,
    ) -> None:
        extra = {"ContentDisposition": disposition} if disposition else {}
        self.client.put_object(
            Bucket=self._name(),
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl=cache_control,
            **extra,
        )

    def copy(
        self, source: str, target: str, content_type: str | None = None, cache: str | None = None
    ) -> None:
        """Copy within the bucket; with `content_type` and `cache`, the copy gets those
        headers instead of the source's."""
        extra: dict[str, str] = {}
        if content_type and cache:
            extra = {"MetadataDirective": "REPLACE", "ContentType": content_type}
            extra["CacheControl"] = cache
        self.client.copy_object(
            Bucket=self._name(),
            Key=target,
            CopySource={"Bucket": self._name(), "Key": source},
            **extra,
        )

    def keys(self, prefix: str) -> list[str]:
        """The keys under `prefix` (the first thousand: callers keep their folders small)."""
        answer = self.client.list_objects_v2(Bucket=self._name(), Prefix=prefix)
        return [item["Key"] for item in answer.get("Contents", [])]

    def move(self, source: str, target: str) -> None:
        self.copy(source, target)
        self.delete(source)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self._name(), Key=key)

    def presigned_get(self, key: str, expires_in: int, download_as: str | None = None) -> str:
        """A GET of `key` for `expires_in` seconds; with `download_as`, browsers save it
        under that (ASCII) file name instead of showing it."""
        params = {"Bucket": self._name(), "Key": key}
        if download_as:
            params["ResponseContentDisposition"] = f'attachment; filename="{download_as}"'
        url: str = self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_in
        )
        return url
