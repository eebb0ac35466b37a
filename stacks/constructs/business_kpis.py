"""The business KPIs (`shared/kpis.py`) on a dashboard of their own, and the alarms an
operator must hear about (`docs/runbooks/business.md`).

Static rules, not CloudWatch anomaly detection: a club platform's counts are small and
weekly-seasonal (Saturday mornings), where a learned band is mostly noise for weeks; each
rule below has a floor of traffic under which it says nothing. The alarms notify the
operations topic but stay out of `platform-health`, which gates flag rollouts.
"""

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from shared.kpis import (
    ATTENDANCE_MARKED,
    CLUB_APPLICATIONS,
    CLUB_JOINS,
    KPI_SERVICE,
    RIDE_JOINS,
    RIDES_CANCELLED,
    RIDES_CREATED,
    SIGN_UPS,
    STRAVA_SYNC_LAG,
    WAITLIST_PROMOTIONS,
)
from shared.names import API_STAGE
from stacks.config import StageConfig
from stacks.constructs.service_function import METRICS_NAMESPACE
from stacks.runbooks import with_runbook

HOUR = Duration.hours(1)
# "No sign-ups" means something only while people use the API.
SIGN_UP_TRAFFIC_FLOOR = 100
SIGN_UP_SILENT_HOURS = 6
WEBHOOK_ATTEMPTS_FLOOR = 20
WEBHOOK_FAILED_SHARE = 0.5
STRAVA_LAG_SECONDS = 30 * 60


def kpi(
    name: str, service: str = KPI_SERVICE, statistic: str = "Sum", **dims: str
) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": service, **dims},
        statistic=statistic,
        period=HOUR,
    )


class BusinessKpis(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, topic: sns.ITopic
    ) -> None:
        super().__init__(scope, construct_id)
        self.prefix = config.prefix
        requests = cloudwatch.Metric(
            namespace="AWS/ApiGateway",
            metric_name="Count",
            dimensions_map={"ApiName": f"{config.prefix}-api", "Stage": API_STAGE},
            statistic="Sum",
            period=HOUR,
        )
        self.alarms = [
            self._sign_ups_stopped(requests),
            self._webhook_deliveries_failing(),
            self._strava_sync_behind(),
        ]
        for alarm in self.alarms:
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
        self._dashboard(requests)

    def _alarm(
        self, construct_id: str, name: str, description: str, expression: cloudwatch.IMetric,
        threshold: float, periods: int, datapoints: int,
    ) -> cloudwatch.Alarm:  # fmt: skip
        return cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=f"{self.prefix}-kpi-{name}",
            alarm_description=with_runbook(description, "business"),
            metric=expression,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=periods,
            datapoints_to_alarm=datapoints,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _sign_ups_stopped(self, requests: cloudwatch.Metric) -> cloudwatch.Alarm:
        silent_hour = cloudwatch.MathExpression(
            label="Hours of traffic without a sign-up",
            expression=f"IF(requests >= {SIGN_UP_TRAFFIC_FLOOR} AND FILL(signups, 0) == 0, 1, 0)",
            using_metrics={"requests": requests, "signups": kpi(SIGN_UPS)},
            period=HOUR,
        )
        return self._alarm(
            "SignUpsStopped",
            "sign-ups-stopped",
            f"No sign-ups for {SIGN_UP_SILENT_HOURS} hours while the API served at least "
            f"{SIGN_UP_TRAFFIC_FLOOR} requests an hour",
            silent_hour,
            threshold=1,
            periods=SIGN_UP_SILENT_HOURS,
            datapoints=SIGN_UP_SILENT_HOURS,
        )

    def _webhook_deliveries_failing(self) -> cloudwatch.Alarm:
        failed_share = cloudwatch.MathExpression(
            label="Share of webhook attempts that failed",
            expression=(
                f"IF(FILL(ok, 0) + FILL(failed, 0) >= {WEBHOOK_ATTEMPTS_FLOOR}, "
                "FILL(failed, 0) / (FILL(ok, 0) + FILL(failed, 0)), 0)"
            ),
            using_metrics={
                "ok": kpi("WebhookDelivered", service="webhooks"),
                "failed": kpi("WebhookAttemptFailed", service="webhooks"),
            },
            period=HOUR,
        )
        return self._alarm(
            "WebhookDeliveriesFailing",
            "webhook-deliveries-failing",
            f"More than {WEBHOOK_FAILED_SHARE:.0%} of webhook delivery attempts failed for "
            f"two hours (at least {WEBHOOK_ATTEMPTS_FLOOR} attempts an hour)",
            failed_share,
            threshold=WEBHOOK_FAILED_SHARE,
            periods=2,
            datapoints=2,
        )

    def _strava_sync_behind(self) -> cloudwatch.Alarm:
        return self._alarm(
            "StravaSyncBehind",
            "strava-sync-behind",
            f"Strava's events took more than {STRAVA_LAG_SECONDS // 60} minutes (90th "
            "percentile) to mark attendance, in two of three hours",
            kpi(STRAVA_SYNC_LAG, service="strava", statistic="p90"),
            threshold=STRAVA_LAG_SECONDS,
            periods=3,
            datapoints=2,
        )

    def _dashboard(self, requests: cloudwatch.Metric) -> None:
        cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{self.prefix}-business",
            default_interval=Duration.days(7),
            widgets=[self._community(requests), self._riding(), self._deliveries()],
        )

    @staticmethod
    def _community(requests: cloudwatch.Metric) -> list[cloudwatch.IWidget]:
        return [
            _graph(
                "Sign-ups and API requests", ("Sign-ups", kpi(SIGN_UPS)), ("API requests", requests)
            ),
            _graph(
                "Club joins and applications",
                ("Open clubs", kpi(CLUB_JOINS, via="open")),
                ("Approved", kpi(CLUB_JOINS, via="approval")),
                ("Applications", kpi(CLUB_APPLICATIONS)),
            ),
            _graph(
                "Rides created and cancelled",
                ("Created", kpi(RIDES_CREATED)),
                ("Cancelled", kpi(RIDES_CANCELLED)),
            ),
        ]

    @staticmethod
    def _riding() -> list[cloudwatch.IWidget]:
        return [
            _graph(
                "Ride joins: seat or waitlist",
                ("Seat", kpi(RIDE_JOINS, place="seat")),
                ("Waitlist", kpi(RIDE_JOINS, place="waitlist")),
                ("Promoted", kpi(WAITLIST_PROMOTIONS)),
            ),
            _graph(
                "Attendance marked",
                ("By a ride manager", kpi(ATTENDANCE_MARKED, service="rides", source="leader")),
                ("From Strava", kpi(ATTENDANCE_MARKED, service="strava", source="strava")),
            ),
            _graph(
                "Strava sync lag (s)",
                ("p50", kpi(STRAVA_SYNC_LAG, service="strava", statistic="p50")),
                ("p90", kpi(STRAVA_SYNC_LAG, service="strava", statistic="p90")),
            ),
        ]

    def _deliveries(self) -> list[cloudwatch.IWidget]:
        mail = cloudwatch.GraphWidget(
            title="E-mail sent and suppressed",
            left=[
                cloudwatch.MathExpression(
                    label=label,
                    expression=(
                        f"SEARCH('{{{METRICS_NAMESPACE},category,channel,service}} "
                        f'MetricName="{metric}" channel="email"\', \'Sum\', 3600)'
                    ),
                    using_metrics={},
                    period=HOUR,
                )
                for label, metric in (
                    ("Sent", "NotificationSent"),
                    ("Suppressed", "NotificationSuppressed"),
                )
            ],
            width=8,
        )
        return [
            _graph(
                "Webhook deliveries",
                ("Delivered", kpi("WebhookDelivered", service="webhooks")),
                ("Failed attempts", kpi("WebhookAttemptFailed", service="webhooks")),
            ),
            mail,
            cloudwatch.AlarmStatusWidget(title="KPI alarms", alarms=self.alarms, width=8),
        ]


def _graph(title: str, *metrics: tuple[str, cloudwatch.Metric]) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(
        title=title, left=[metric.with_(label=label) for label, metric in metrics], width=8
    )
