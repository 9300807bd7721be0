package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cloudconnector/cloudconnector/shared/metrics"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// serviceMetric is one of the embedded metrics the functions write (package
// shared/metrics), so names and dimensions are written down once.
func serviceMetric(name, statistic string, dims map[string]string) awscloudwatch.Metric {
	var dimensions *map[string]*string
	if len(dims) > 0 {
		m := map[string]*string{}
		for k, v := range dims {
			m[k] = jsii.String(v)
		}
		dimensions = &m
	}
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(metrics.Namespace),
		MetricName:    jsii.String(name),
		DimensionsMap: dimensions,
		Statistic:     jsii.String(statistic),
		Period:        duration(alarmPeriod),
	})
}

// newMetricAlarms adds alarms on the service's own metrics: a rotation that
// ended FAILED, and any route returning 5xx. A 5xx response is not a Lambda
// error, so the function error alarms never see it.
func newMetricAlarms(scope constructs.Construct, topic awssns.Topic) {
	alarm := aboveZeroAlarm(scope, topic)
	alarm("RotationsFailedAlarm", "A credential rotation ended FAILED; the link stays on its current credential",
		serviceMetric(metrics.RotationsFailed, "Sum", nil))
	for i, r := range routes.All {
		alarm(routeID(i, r)+"ServerErrorsAlarm", "The route "+r.Key()+" returned 5xx",
			serviceMetric(metrics.Requests, "Sum", map[string]string{metrics.DimensionRoute: r.Key(), metrics.DimensionStatusClass: "5xx"}))
	}
}

// routeID is a construct id for route r, the i-th of the route table.
func routeID(i int, r routes.Route) string {
	return "Route" + string(rune('A'+i/26)) + string(rune('A'+i%26)) + r.Function
}

// newDashboard creates one CloudWatch dashboard with the service's metrics
// next to the dead-letter queue depth.
func newDashboard(scope constructs.Construct, deadLetters awssqs.Queue) {
	graph := func(title string, left ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &left, Width: jsii.Number(12),
		})
	}
	outcome := func(o metrics.TokenOutcome) awscloudwatch.IMetric {
		return serviceMetric(metrics.TokenRequests, "Sum", map[string]string{metrics.DimensionOutcome: string(o)})
	}
	var errors5xx, errors4xx []awscloudwatch.IMetric
	for _, r := range routes.All {
		errors5xx = append(errors5xx, serviceMetric(metrics.Requests, "Sum", map[string]string{metrics.DimensionRoute: r.Key(), metrics.DimensionStatusClass: "5xx"}))
		errors4xx = append(errors4xx, serviceMetric(metrics.Requests, "Sum", map[string]string{metrics.DimensionRoute: r.Key(), metrics.DimensionStatusClass: "4xx"}))
	}
	maximum := &awscloudwatch.MetricOptions{Period: duration(alarmPeriod), Statistic: jsii.String("Maximum")}
	dash := awscloudwatch.NewDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{})
	dash.AddWidgets(
		graph("Rotations", serviceMetric(metrics.RotationsStarted, "Sum", nil), serviceMetric(metrics.RotationsCompleted, "Sum", nil),
			serviceMetric(metrics.RotationsFailed, "Sum", nil)),
		graph("Rotation duration (ms)", serviceMetric(metrics.RotationDuration, "p50", nil), serviceMetric(metrics.RotationDuration, "p99", nil)),
	)
	dash.AddWidgets(
		graph("Token requests by outcome", outcome(metrics.TokenOK), outcome(metrics.TokenCached), outcome(metrics.TokenUpstreamError), outcome(metrics.TokenConflict)),
		graph("Rotation dead-letter queue", deadLetters.MetricApproximateNumberOfMessagesVisible(maximum)),
	)
	dash.AddWidgets(graph("Requests returning 5xx, by route", errors5xx...), graph("Requests returning 4xx, by route", errors4xx...))
}
