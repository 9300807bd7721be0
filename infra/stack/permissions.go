package stack

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// grant lists the IAM actions one function may call on the stack's resources.
type grant struct {
	// Table actions apply to the table. Query also applies to its indexes.
	Table []string
	// Queue actions apply to the rotation queue.
	Queue []string
	// Key actions apply to the KMS key that encrypts client secrets.
	Key []string
}

// grants is the least-privilege table: every function and exactly the
// actions it calls. Transactions need the per-item actions (PutItem,
// UpdateItem, DeleteItem) of the items they write, and
// the rotation worker's SQS event source mapping polls with its role, so it
// needs ReceiveMessage, DeleteMessage and GetQueueAttributes.
var grants = map[string]grant{
	routes.Connectors: {
		Table: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"},
		Key:   []string{"kms:Encrypt"},
	},
	routes.CreateLink: {
		Table: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
	},
	routes.ReviewLink: {
		Table: []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
		Queue: []string{"sqs:SendMessage"},
		Key:   []string{"kms:Encrypt", "kms:Decrypt"},
	},
	routes.GetLink: {
		Table: []string{"dynamodb:GetItem", "dynamodb:Query"},
	},
	routes.RotateLink: {
		Table: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
		Queue: []string{"sqs:SendMessage"},
	},
	routes.DeleteLink: {
		Table: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
		Queue: []string{"sqs:SendMessage"},
	},
	routes.Token: {
		Table: []string{"dynamodb:GetItem"},
		Key:   []string{"kms:Decrypt"},
	},
	routes.RotationWorker: {
		Table: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
		Queue: []string{"sqs:SendMessage", "sqs:ChangeMessageVisibility", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
		Key:   []string{"kms:Encrypt", "kms:Decrypt"},
	},
	routes.RotationScheduler: {
		Table: []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"},
		Queue: []string{"sqs:SendMessage"},
	},
}

// grantFor returns the grant of function fn, or an error when the table has
// no entry for it.
func grantFor(fn string) (grant, error) {
	g, ok := grants[fn]
	if !ok {
		return grant{}, fmt.Errorf("function %s has no entry in the least-privilege table", fn)
	}
	return g, nil
}

// sendsToQueue reports whether the function sends rotation messages.
func (g grant) sendsToQueue() bool {
	return slices.Contains(g.Queue, "sqs:SendMessage")
}

// queriesIndexes reports whether the function may query the table's indexes.
func (g grant) queriesIndexes() bool {
	return slices.Contains(g.Table, "dynamodb:Query")
}

// statements returns the IAM statements of g on the stack's resources. The
// table statement covers <table ARN>/index/* only when g allows Query.
func (g grant) statements(res *resources) []awsiam.PolicyStatement {
	var out []awsiam.PolicyStatement
	if len(g.Table) > 0 {
		arns := []*string{res.table.TableArn()}
		if g.queriesIndexes() {
			arns = append(arns, jsii.String(*res.table.TableArn()+"/index/*"))
		}
		out = append(out, allow("Table", g.Table, arns))
	}
	if len(g.Queue) > 0 {
		out = append(out, allow("RotationQueue", g.Queue, []*string{res.queue.QueueArn()}))
	}
	if len(g.Key) > 0 {
		out = append(out, allow("SecretKey", g.Key, []*string{res.key.KeyArn()}))
	}
	return out
}

// allow returns a statement with id sid that allows actions on arns.
func allow(sid string, actions []string, arns []*string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Effect:    awsiam.Effect_ALLOW,
		Actions:   jsii.Strings(actions...),
		Resources: &arns,
	})
}
