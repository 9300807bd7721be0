package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// PutSite creates or replaces a site of its organization and reports whether
// it was created. A site id registered to another organization is
// KindNotFound, the same error as for any resource of another organization.
func (s *Store) PutSite(ctx context.Context, site domain.Site) (created bool, err error) {
	out, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           s.table,
		Item:                                marshal(newSiteItem(site)),
		ConditionExpression:                 aws.String("attribute_not_exists(pk) OR orgId = :org"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":org": &types.AttributeValueMemberS{Value: site.OrgID}},
		ReturnValues:                        types.ReturnValueAllOld,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureNone,
	})
	if _, ok := conditionFailed(err); ok {
		return false, domain.NotFound("site", site.ID)
	}
	if err != nil {
		return false, unavailable("put site", err)
	}
	return len(out.Attributes) == 0, nil
}

// GetSite returns the site with id, or KindNotFound.
func (s *Store) GetSite(ctx context.Context, id string) (domain.Site, error) {
	var it siteItem
	ok, err := s.get(ctx, sitePK(id), skSite, &it)
	if err != nil {
		return domain.Site{}, err
	}
	if !ok {
		return domain.Site{}, domain.NotFound("site", id)
	}
	return it.site(), nil
}
