//go:build floor_kms

package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

func init() {
	clientBuilders = append(clientBuilders, func(cfg aws.Config) any {
		return kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = endpoint("KMS", o.BaseEndpoint) })
	})
}
