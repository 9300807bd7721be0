package stack

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

func TestRotationSchedule(t *testing.T) {
	rules := resourcesOfType("AWS::Events::Rule")
	if len(rules) != 1 {
		t.Fatalf("got %d EventBridge rules, want 1", len(rules))
	}
	for _, r := range rules {
		p := props(r)
		if got, want := p["ScheduleExpression"], "rate(1 hour)"; got != want {
			t.Errorf("ScheduleExpression = %v, want %v", got, want)
		}
		if got := p["State"]; got != "ENABLED" {
			t.Errorf("State = %v, want ENABLED", got)
		}
		targets := anyList(p["Targets"])
		if len(targets) != 1 {
			t.Fatalf("got %d targets, want 1", len(targets))
		}
		want := getAtt(logicalID(t, synth.stack.Functions[routes.RotationScheduler]), "Arn")
		if got := targets[0].(map[string]any)["Arn"]; !reflect.DeepEqual(got, any(want)) {
			t.Errorf("target Arn = %s, want %s", jsonString(got), jsonString(want))
		}
	}
}

// alarmKey identifies an alarm by metric and the dimension it watches.
type alarmKey struct {
	namespace string
	metric    string
	dimension string
}

func TestAlarms(t *testing.T) {
	topic := ref(logicalID(t, synth.stack.AlarmTopic))
	got := map[alarmKey]map[string]any{}
	for id, a := range resourcesOfType("AWS::CloudWatch::Alarm") {
		p := props(a)
		if p["Namespace"] == "CloudConnector" {
			continue // the service's own metrics: TestServiceMetricAlarmsAndDashboard
		}
		dims := anyList(p["Dimensions"])
		if len(dims) != 1 {
			t.Errorf("alarm %s has dimensions %s, want one", id, jsonString(p["Dimensions"]))
			continue
		}
		key := alarmKey{p["Namespace"].(string), p["MetricName"].(string), jsonString(dims[0].(map[string]any)["Value"])}
		got[key] = p

		if p["ComparisonOperator"] != "GreaterThanThreshold" || p["Threshold"] != float64(0) {
			t.Errorf("alarm %s fires on %v %v, want GreaterThanThreshold 0", id, p["ComparisonOperator"], p["Threshold"])
		}
		if !containsValue(p["AlarmActions"], topic) {
			t.Errorf("alarm %s actions = %s, want the alarm topic %s", id, jsonString(p["AlarmActions"]), jsonString(topic))
		}
	}

	want := []alarmKey{{"AWS/SQS", "ApproximateNumberOfMessagesVisible", jsonString(getAtt(logicalID(t, synth.stack.DeadLetterQueue), "QueueName"))}}
	for _, fn := range FunctionNames() {
		fnRef := jsonString(ref(logicalID(t, synth.stack.Functions[fn])))
		want = append(want, alarmKey{"AWS/Lambda", "Errors", fnRef}, alarmKey{"AWS/Lambda", "Throttles", fnRef})
	}
	for _, key := range want {
		if _, ok := got[key]; !ok {
			t.Errorf("no alarm on %s %s for %s", key.namespace, key.metric, key.dimension)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d alarms, want %d", len(got), len(want))
	}
}

func TestAlarmTopicEncryption(t *testing.T) {
	p := props(resource(t, logicalID(t, synth.stack.AlarmTopic)))
	keyRef, ok := p["KmsMasterKeyId"].(map[string]any)["Fn::GetAtt"].([]any)
	if !ok {
		t.Fatalf("KmsMasterKeyId = %s, want a customer managed key", jsonString(p["KmsMasterKeyId"]))
	}
	key := props(resource(t, keyRef[0].(string)))
	found := false
	for _, s := range key["KeyPolicy"].(map[string]any)["Statement"].([]any) {
		st := s.(map[string]any)
		principal, _ := st["Principal"].(map[string]any)
		if principal["Service"] == "cloudwatch.amazonaws.com" {
			found = true
		}
	}
	if !found {
		t.Errorf("alarm topic key policy does not let CloudWatch publish: %s", jsonString(key["KeyPolicy"]))
	}
}

func TestOutputs(t *testing.T) {
	outputs, _ := synth.template["Outputs"].(map[string]any)
	want := map[string]any{
		"TableName":        ref(logicalID(t, synth.stack.Table)),
		"RotationQueueUrl": ref(logicalID(t, synth.stack.Queue)),
		"KeyId":            ref(logicalID(t, synth.stack.Key)),
		"AlarmTopicArn":    ref(logicalID(t, synth.stack.AlarmTopic)),
	}
	for name, value := range want {
		out, ok := outputs[name].(map[string]any)
		if !ok {
			t.Errorf("output %s is missing", name)
			continue
		}
		if !reflect.DeepEqual(out["Value"], value) {
			t.Errorf("output %s = %s, want %s", name, jsonString(out["Value"]), jsonString(value))
		}
	}

	apiURL, ok := outputs["ApiUrl"].(map[string]any)
	if !ok {
		t.Fatal("output ApiUrl is missing")
	}
	if value := jsonString(apiURL["Value"]); !strings.Contains(value, logicalID(t, synth.stack.API)) || !strings.Contains(value, "execute-api") {
		t.Errorf("output ApiUrl = %s, want the execute-api URL of the API", value)
	}
}

func TestNagAwsSolutions(t *testing.T) {
	for _, e := range synth.nagError {
		t.Errorf("unsuppressed cdk-nag finding: %s", e)
	}
}

func TestServiceMetricAlarmsAndDashboard(t *testing.T) {
	dashboards, rotationAlarms, routeAlarms := 0, 0, 0
	for _, r := range synth.template["Resources"].(map[string]any) {
		res := r.(map[string]any)
		switch res["Type"] {
		case "AWS::CloudWatch::Dashboard":
			dashboards++
		case "AWS::CloudWatch::Alarm":
			p := res["Properties"].(map[string]any)
			if p["Namespace"] != "CloudConnector" {
				continue
			}
			switch p["MetricName"] {
			case "RotationsFailed":
				rotationAlarms++
			case "Requests":
				routeAlarms++
			}
		}
	}
	if dashboards != 1 {
		t.Errorf("dashboards = %d, want 1", dashboards)
	}
	if rotationAlarms != 1 {
		t.Errorf("RotationsFailed alarms = %d, want 1", rotationAlarms)
	}
	if routeAlarms != len(routes.All) {
		t.Errorf("5xx alarms = %d, want one per route (%d)", routeAlarms, len(routes.All))
	}
}
