package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// applyNagChecks runs cdk-nag's AwsSolutions rules on s at synthesis. Each
// finding becomes an error annotation unless a suppression with its reason
// covers it.
func applyNagChecks(s *Stack) {
	awscdk.Aspects_Of(s.Stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
		Verbose: jsii.Bool(true),
	}), nil)
}

// suppressIndexWildcard accepts the <table ARN>/index/* resource in the
// policies of role. It names the indexes of the service's own table only,
// and Query on an index needs the index ARN.
func suppressIndexWildcard(role awsiam.Role) {
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Query on a global secondary index needs the index ARN. The wildcard covers only the indexes of the service's own table."),
		AppliesTo: &[]interface{}{
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<Table[0-9A-F]{8}\.Arn>\/index\/\*$/`)},
		},
	}}, jsii.Bool(true))
}
