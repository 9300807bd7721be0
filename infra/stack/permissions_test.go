package stack

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// wantActions is the least-privilege table written out independently of the
// stack code: a change to a function's permissions must change both.
var wantActions = map[string][]string{
	routes.Connectors: {
		"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
		"kms:Encrypt",
	},
	routes.CreateLink: {
		"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
	},
	routes.ReviewLink: {
		"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
		"kms:Encrypt", "kms:Decrypt",
		"sqs:SendMessage",
	},
	routes.GetLink: {
		"dynamodb:GetItem", "dynamodb:Query",
	},
	routes.RotateLink: {
		"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
		"sqs:SendMessage",
	},
	routes.DeleteLink: {
		"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
		"sqs:SendMessage",
	},
	routes.Token: {
		"dynamodb:GetItem",
		"kms:Decrypt",
	},
	routes.RotationWorker: {
		"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
		"kms:Encrypt", "kms:Decrypt",
		"sqs:SendMessage", "sqs:ChangeMessageVisibility", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
	},
	routes.RotationScheduler: {
		"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
		"sqs:SendMessage",
	},
}

// logActions are the actions every function needs to write its own logs.
var logActions = []string{"logs:CreateLogStream", "logs:PutLogEvents"}

// statement is one Allow statement of a function's role policies.
type statement struct {
	actions   []string
	resources []any
}

// roleStatements returns the statements of every policy attached to the role
// of function fn, and fails the test on a Deny statement or a managed policy.
func roleStatements(t *testing.T, fn string) []statement {
	t.Helper()
	roleRef, ok := props(resource(t, logicalID(t, synth.stack.Functions[fn])))["Role"].(map[string]any)["Fn::GetAtt"].([]any)
	if !ok {
		t.Fatalf("function %s has no role reference", fn)
	}
	roleID := roleRef[0].(string)
	role := props(resource(t, roleID))
	if managed, ok := role["ManagedPolicyArns"]; ok {
		t.Errorf("role %s has managed policies %s, want none", roleID, jsonString(managed))
	}
	if inline, ok := role["Policies"]; ok {
		t.Errorf("role %s has inline policies %s, want only the attached policy", roleID, jsonString(inline))
	}

	var out []statement
	for _, policy := range resourcesOfType("AWS::IAM::Policy") {
		p := props(policy)
		if !containsValue(p["Roles"], ref(roleID)) {
			continue
		}
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			if st["Effect"] != "Allow" {
				t.Errorf("role %s has a statement with effect %v", roleID, st["Effect"])
			}
			out = append(out, statement{actions: stringList(st["Action"]), resources: anyList(st["Resource"])})
		}
	}
	return out
}

func TestFunctionActionsMatchLeastPrivilegeTable(t *testing.T) {
	if len(wantActions) != len(FunctionNames()) {
		t.Fatalf("test table covers %d functions, want %d", len(wantActions), len(FunctionNames()))
	}
	for _, fn := range FunctionNames() {
		t.Run(fn, func(t *testing.T) {
			var got []string
			for _, st := range roleStatements(t, fn) {
				got = append(got, st.actions...)
			}
			want := append(append([]string{}, wantActions[fn]...), logActions...)
			sort.Strings(got)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("actions:\ngot  %q\nwant %q", got, want)
			}
		})
	}
}

func TestFunctionActionResources(t *testing.T) {
	tableArn := getAtt(logicalID(t, synth.stack.Table), "Arn")
	indexArn := map[string]any{"Fn::Join": []any{"", []any{tableArn, "/index/*"}}}
	queueArn := getAtt(logicalID(t, synth.stack.Queue), "Arn")
	keyArn := getAtt(logicalID(t, synth.stack.Key), "Arn")

	for _, fn := range FunctionNames() {
		t.Run(fn, func(t *testing.T) {
			p := props(resource(t, logicalID(t, synth.stack.Functions[fn])))
			logGroup := p["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string)
			logArn := getAtt(logGroup, "Arn")

			tableResources := []any{tableArn}
			if slices.Contains(wantActions[fn], "dynamodb:Query") {
				tableResources = append(tableResources, indexArn)
			}
			wantByService := map[string][]any{
				"logs":     {logArn},
				"dynamodb": tableResources,
				"sqs":      {queueArn},
				"kms":      {keyArn},
			}

			for _, st := range roleStatements(t, fn) {
				for _, action := range st.actions {
					want, ok := wantByService[actionService(action)]
					if !ok {
						t.Errorf("action %s is not expected", action)
						continue
					}
					if !sameElements(st.resources, want) {
						t.Errorf("resources of %s:\ngot  %s\nwant %s", action, jsonString(st.resources), jsonString(want))
					}
				}
			}
		})
	}
}

// actionService returns the service prefix of an IAM action such as dynamodb:Query.
func actionService(action string) string {
	prefix, _, _ := strings.Cut(action, ":")
	return prefix
}

// stringList returns a policy field that is a string or a list of strings as
// a list.
func stringList(v any) []string {
	var out []string
	for _, item := range anyList(v) {
		s, _ := item.(string)
		out = append(out, s)
	}
	return out
}

// anyList returns v as a list: a list stays as it is and any other value
// becomes a list of one.
func anyList(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	return []any{v}
}

// containsValue reports whether list holds a value deeply equal to v.
func containsValue(list any, v any) bool {
	for _, item := range anyList(list) {
		if reflect.DeepEqual(item, v) {
			return true
		}
	}
	return false
}

// sameElements reports whether a and b hold the same values in any order.
func sameElements(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for _, v := range a {
		if !containsValue(b, v) {
			return false
		}
	}
	return true
}
