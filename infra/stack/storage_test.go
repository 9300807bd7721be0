package stack

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

func TestTable(t *testing.T) {
	tables := resourcesOfType("AWS::DynamoDB::Table")
	if len(tables) != 1 {
		t.Fatalf("got %d tables, want 1", len(tables))
	}
	r := resource(t, logicalID(t, synth.stack.Table))
	p := props(r)
	layout := dynamo.TableInput("")

	checks := []struct {
		field string
		got   any
		want  any
	}{
		{"DeletionPolicy", r["DeletionPolicy"], "Retain"},
		{"UpdateReplacePolicy", r["UpdateReplacePolicy"], "Retain"},
		{"BillingMode", p["BillingMode"], "PAY_PER_REQUEST"},
		{"DeletionProtectionEnabled", p["DeletionProtectionEnabled"], true},
		{"PointInTimeRecoverySpecification", p["PointInTimeRecoverySpecification"], map[string]any{"PointInTimeRecoveryEnabled": true}},
		{"TimeToLiveSpecification", p["TimeToLiveSpecification"], map[string]any{"AttributeName": dynamo.AttrTTL, "Enabled": true}},
		{"SSESpecification", p["SSESpecification"], map[string]any{"SSEEnabled": true}},
		{"KeySchema", p["KeySchema"], keySchema(layout.KeySchema)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %s, want %s", c.field, jsonString(c.got), jsonString(c.want))
		}
	}

	var wantDefs []any
	for _, d := range layout.AttributeDefinitions {
		wantDefs = append(wantDefs, map[string]any{"AttributeName": aws.ToString(d.AttributeName), "AttributeType": string(d.AttributeType)})
	}
	if got, _ := p["AttributeDefinitions"].([]any); !sameElements(got, wantDefs) {
		t.Errorf("AttributeDefinitions:\ngot  %s\nwant %s", jsonString(got), jsonString(wantDefs))
	}

	gotIndexes := map[string]any{}
	for _, gsi := range anyList(p["GlobalSecondaryIndexes"]) {
		g := gsi.(map[string]any)
		gotIndexes[g["IndexName"].(string)] = g
	}
	for _, name := range []string{dynamo.IndexByOrg, dynamo.IndexPending, dynamo.IndexRotationDue} {
		if _, ok := gotIndexes[name]; !ok {
			t.Errorf("index %s is missing; got indexes %s", name, jsonString(gotIndexes))
		}
	}
	if len(gotIndexes) != len(layout.GlobalSecondaryIndexes) {
		t.Errorf("got %d indexes, want %d", len(gotIndexes), len(layout.GlobalSecondaryIndexes))
	}
	for _, gsi := range layout.GlobalSecondaryIndexes {
		name := aws.ToString(gsi.IndexName)
		want := map[string]any{
			"IndexName":  name,
			"KeySchema":  keySchema(gsi.KeySchema),
			"Projection": map[string]any{"ProjectionType": "ALL"},
		}
		if !reflect.DeepEqual(gotIndexes[name], any(want)) {
			t.Errorf("index %s:\ngot  %s\nwant %s", name, jsonString(gotIndexes[name]), jsonString(want))
		}
	}
}

// keySchema returns schema in the template's JSON form.
func keySchema(schema []types.KeySchemaElement) []any {
	var out []any
	for _, k := range schema {
		out = append(out, map[string]any{"AttributeName": aws.ToString(k.AttributeName), "KeyType": string(k.KeyType)})
	}
	return out
}

func TestRotationQueue(t *testing.T) {
	if got := len(resourcesOfType("AWS::SQS::Queue")); got != 2 {
		t.Errorf("got %d queues, want 2 (rotation and dead-letter)", got)
	}
	queueID := logicalID(t, synth.stack.Queue)
	deadLetterID := logicalID(t, synth.stack.DeadLetterQueue)
	queue := props(resource(t, queueID))
	worker := props(resource(t, logicalID(t, synth.stack.Functions[routes.RotationWorker])))

	visibility, _ := queue["VisibilityTimeout"].(float64)
	workerTimeout, _ := worker["Timeout"].(float64)
	if workerTimeout == 0 || visibility < 6*workerTimeout {
		t.Errorf("VisibilityTimeout = %v s, want at least 6 x worker timeout %v s", visibility, workerTimeout)
	}

	wantRedrive := map[string]any{"deadLetterTargetArn": getAtt(deadLetterID, "Arn"), "maxReceiveCount": float64(8)}
	if !reflect.DeepEqual(queue["RedrivePolicy"], any(wantRedrive)) {
		t.Errorf("RedrivePolicy = %s, want %s", jsonString(queue["RedrivePolicy"]), jsonString(wantRedrive))
	}

	for _, id := range []string{queueID, deadLetterID} {
		if got := props(resource(t, id))["SqsManagedSseEnabled"]; got != true {
			t.Errorf("queue %s SqsManagedSseEnabled = %v, want true", id, got)
		}
		if !queueDeniesInsecureTransport(id) {
			t.Errorf("queue %s has no policy that denies requests without TLS", id)
		}
	}
}

// queueDeniesInsecureTransport reports whether a queue policy of queue id
// denies every request with aws:SecureTransport false.
func queueDeniesInsecureTransport(id string) bool {
	wantCondition := map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}
	for _, policy := range resourcesOfType("AWS::SQS::QueuePolicy") {
		p := props(policy)
		if !containsValue(p["Queues"], ref(id)) {
			continue
		}
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			if st["Effect"] == "Deny" && st["Action"] == "sqs:*" && reflect.DeepEqual(st["Condition"], any(wantCondition)) {
				return true
			}
		}
	}
	return false
}

func TestWorkerEventSourceMapping(t *testing.T) {
	mappings := resourcesOfType("AWS::Lambda::EventSourceMapping")
	if len(mappings) != 1 {
		t.Fatalf("got %d event source mappings, want 1", len(mappings))
	}
	for _, m := range mappings {
		p := props(m)
		checks := []struct {
			field string
			got   any
			want  any
		}{
			{"FunctionName", p["FunctionName"], ref(logicalID(t, synth.stack.Functions[routes.RotationWorker]))},
			{"EventSourceArn", p["EventSourceArn"], getAtt(logicalID(t, synth.stack.Queue), "Arn")},
			{"BatchSize", p["BatchSize"], float64(10)},
			{"FunctionResponseTypes", p["FunctionResponseTypes"], []any{"ReportBatchItemFailures"}},
			{"ScalingConfig", p["ScalingConfig"], map[string]any{"MaximumConcurrency": float64(10)}},
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s = %s, want %s", c.field, jsonString(c.got), jsonString(c.want))
			}
		}
	}
}

func TestKeys(t *testing.T) {
	keys := resourcesOfType("AWS::KMS::Key")
	if len(keys) == 0 {
		t.Fatal("template has no KMS key")
	}
	for id, k := range keys {
		if got := props(k)["EnableKeyRotation"]; got != true {
			t.Errorf("key %s EnableKeyRotation = %v, want true", id, got)
		}
	}

	secretKey := logicalID(t, synth.stack.Key)
	if got := resource(t, secretKey)["DeletionPolicy"]; got != "Retain" {
		t.Errorf("secret key DeletionPolicy = %v, want Retain", got)
	}
	var aliases []string
	for _, a := range resourcesOfType("AWS::KMS::Alias") {
		p := props(a)
		if reflect.DeepEqual(p["TargetKeyId"], any(getAtt(secretKey, "Arn"))) {
			aliases = append(aliases, p["AliasName"].(string))
		}
	}
	if want := []string{"alias/cloud-connector"}; !reflect.DeepEqual(aliases, want) {
		t.Errorf("aliases of the secret key = %q, want %q", aliases, want)
	}
}
