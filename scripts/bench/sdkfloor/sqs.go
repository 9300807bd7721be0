//go:build floor_sqs

package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func init() {
	clientBuilders = append(clientBuilders, func(cfg aws.Config) any {
		return sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = endpoint("SQS", o.BaseEndpoint) })
	})
}
