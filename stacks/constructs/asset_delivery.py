"""Public assets (club logos, avatars, public rides' routes) through CloudFront: origin
access control to the private assets bucket, the bucket's `public/` folder only (the origin
path), strict security headers, long caching for keys that never change, access logs.
Members-only files are not served here: they are read through short-lived S3 presigned
URLs (docs/media.md)."""

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from shared.names import cdn_domain_parameter
from stacks.config import StageConfig
from stacks.nag import acknowledge, acknowledge_guard


class AssetDelivery(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        bucket: s3.IBucket,
        logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{config.prefix} public assets (logos, avatars, public routes)",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    bucket, origin_path="/public"
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                # Keys carry the upload id: a file never changes, so cache it for long and
                # key the cache on the path alone (no query strings, headers or cookies).
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                compress=True,
            ),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cdn/",
        )
        self.domain_parameter = ssm.StringParameter(
            self,
            "DomainParameter",
            parameter_name=cdn_domain_parameter(config.name),
            string_value=self.distribution.distribution_domain_name,
            description="CloudFront domain of the stage's public assets (read by the media API)",
        )
        self._acknowledge_guard_rules()
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "Club logos are public and harmless anywhere: riders travel, so no country is refused.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "A web ACL for CloudFront lives in us-east-1 and costs more than it protects "
            "here: the distribution serves immutable public images from the cache, with no "
            "origin logic to attack (the API keeps its own regional WAF).",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The distribution uses CloudFront's default certificate (*.cloudfront.net), "
            "for which CloudFront fixes the TLS policy; a custom domain and certificate "
            "come with the web app's domain.",
        )

    def _acknowledge_guard_rules(self) -> None:
        """cfn-guard's CloudFront rules this distribution does not follow, with reasons."""
        default_certificate = (
            "The distribution is served on CloudFront's default domain and certificate "
            "(*.cloudfront.net), which take no custom certificate, SNI setting or security "
            "policy of ours; a custom domain with an ACM certificate in us-east-1 comes with "
            "the web app's domain (README, Deploy)."
        )
        for rule, reason in (
            ("cloudfront_custom_ssl_certificate_check", default_certificate),
            ("cloudfront_sni_enabled_check", default_certificate),
            ("cloudfront_security_policy_check", default_certificate),
            (
                "cloudfront_default_root_object_configured_check",
                "It serves files by key (logos, avatars, public routes); there is no index "
                "page, and the bucket's root lists nothing (origin access control).",
            ),
            (
                "cloudfront_origin_failover_enabled_check",
                "One origin: the stage's bucket. Its backups (AWS Backup, another region) are "
                "not a serving copy; images are cached at the edge for a year.",
            ),
        ):
            acknowledge_guard(self.distribution, rule, reason)
