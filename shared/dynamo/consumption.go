package dynamo

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// writeTarget is one item a write request touches.
type writeTarget struct {
	table         *string
	key           map[string]types.AttributeValue
	transactional bool
}

// itemImage is an item as read before or after a write; nil when absent.
type itemImage map[string]types.AttributeValue

// indexKeys names the key attributes of one global secondary index. Every
// index of the table projects all attributes, so an index entry is as large
// as its item.
type indexKeys struct{ hash, sort string }

func tableIndexes() []indexKeys {
	var out []indexKeys
	for _, gsi := range TableInput("").GlobalSecondaryIndexes {
		var ik indexKeys
		for _, k := range gsi.KeySchema {
			if k.KeyType == types.KeyTypeHash {
				ik.hash = aws.ToString(k.AttributeName)
			} else {
				ik.sort = aws.ToString(k.AttributeName)
			}
		}
		out = append(out, ik)
	}
	return out
}

// tableKey keeps only the table's key attributes of item.
func tableKey(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: item[AttrPK], AttrSK: item[AttrSK]}
}

// writeTargets lists the items a write request touches, in request order;
// nothing for a read.
func writeTargets(params any) []writeTarget {
	switch in := params.(type) {
	case *dynamodb.PutItemInput:
		return []writeTarget{{table: in.TableName, key: tableKey(in.Item)}}
	case *dynamodb.UpdateItemInput:
		return []writeTarget{{table: in.TableName, key: in.Key}}
	case *dynamodb.DeleteItemInput:
		return []writeTarget{{table: in.TableName, key: in.Key}}
	case *dynamodb.TransactWriteItemsInput:
		out := make([]writeTarget, 0, len(in.TransactItems))
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				out = append(out, writeTarget{table: it.Put.TableName, key: tableKey(it.Put.Item), transactional: true})
			case it.Update != nil:
				out = append(out, writeTarget{table: it.Update.TableName, key: it.Update.Key, transactional: true})
			case it.Delete != nil:
				out = append(out, writeTarget{table: it.Delete.TableName, key: it.Delete.Key, transactional: true})
			case it.ConditionCheck != nil:
				out = append(out, writeTarget{table: it.ConditionCheck.TableName, key: it.ConditionCheck.Key, transactional: true})
			}
		}
		return out
	default:
		return nil
	}
}

// images reads the current item of each target with a strongly consistent
// read. A target that cannot be read counts as absent, which makes its
// write cost the minimum of one unit.
func (m *Meter) images(ctx context.Context, targets []writeTarget) []itemImage {
	out := make([]itemImage, len(targets))
	for i, t := range targets {
		res, err := m.reader.GetItem(ctx, &dynamodb.GetItemInput{TableName: t.table, Key: t.key, ConsistentRead: aws.Bool(true)})
		if err == nil {
			out[i] = res.Item
		}
	}
	return out
}

// Error codes of failed writes that DynamoDB still bills.
const (
	codeConditionFailed      = "ConditionalCheckFailedException"
	codeTransactionCancelled = "TransactionCanceledException"
)

// consumed returns the request units of one call that ended with errorCode
// ("" on success). Reads are sized from the items the call evaluated.
// Writes are sized from the larger of each target item before and after.
// A successful write adds one index write per index entry it adds, changes
// or removes, and two when it moves the entry to a new index key. A failed
// call costs nothing, except a write whose condition failed.
//
// NOTE: index writes are counted at the standard rate also inside a
// transaction, and a cancelled transaction is counted as if each of its
// items had been written. Both are estimates: AWS publishes no per-item
// rule for them.
func (m *Meter) consumed(ctx context.Context, params, result any, before []itemImage, errorCode string) (read, write float64) {
	ok := errorCode == ""
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		if !ok {
			return 0, 0
		}
		return m.getItemUnits(ctx, in, result), 0
	case *dynamodb.QueryInput:
		if !ok {
			return 0, 0
		}
		return m.queryUnits(ctx, in), 0
	}
	targets := writeTargets(params)
	if len(targets) == 0 || !ok && errorCode != codeConditionFailed && errorCode != codeTransactionCancelled {
		return 0, 0
	}
	after := m.images(ctx, targets)
	for i, t := range targets {
		units := WriteUnits(max(ItemSize(before[i]), ItemSize(after[i])))
		if t.transactional {
			units *= 2
		}
		write += units
		if ok {
			write += m.indexWrites(before[i], after[i])
		}
	}
	return 0, write
}

func (m *Meter) getItemUnits(ctx context.Context, in *dynamodb.GetItemInput, result any) float64 {
	consistent := aws.ToBool(in.ConsistentRead)
	out, _ := result.(*dynamodb.GetItemOutput)
	item := map[string]types.AttributeValue(nil)
	if out != nil {
		item = out.Item
	}
	// A projection does not reduce the units: DynamoDB bills the whole item.
	if in.ProjectionExpression != nil {
		full, err := m.reader.GetItem(ctx, &dynamodb.GetItemInput{TableName: in.TableName, Key: in.Key, ConsistentRead: aws.Bool(true)})
		if err == nil {
			item = full.Item
		}
	}
	return ReadUnits(ItemSize(item), consistent)
}

// queryUnits repeats the query without its filter and projection, which
// reduce what is returned but not what is billed, and sums the sizes of the
// items it evaluated.
func (m *Meter) queryUnits(ctx context.Context, in *dynamodb.QueryInput) float64 {
	kc := aws.ToString(in.KeyConditionExpression)
	q := &dynamodb.QueryInput{
		TableName:                 in.TableName,
		IndexName:                 in.IndexName,
		KeyConditionExpression:    in.KeyConditionExpression,
		ExpressionAttributeNames:  usedPlaceholders(in.ExpressionAttributeNames, kc),
		ExpressionAttributeValues: usedPlaceholders(in.ExpressionAttributeValues, kc),
		ExclusiveStartKey:         in.ExclusiveStartKey,
		Limit:                     in.Limit,
		ScanIndexForward:          in.ScanIndexForward,
		ConsistentRead:            in.ConsistentRead,
	}
	size := 0
	if res, err := m.reader.Query(ctx, q); err == nil {
		for _, it := range res.Items {
			size += ItemSize(it)
		}
	}
	return ReadUnits(size, aws.ToBool(in.ConsistentRead))
}

// usedPlaceholders keeps the entries of m whose placeholder appears in expr,
// because DynamoDB rejects a request that defines one it does not use.
func usedPlaceholders[V any](m map[string]V, expr string) map[string]V {
	if len(m) == 0 {
		return nil
	}
	out := map[string]V{}
	for k, v := range m {
		if mentions(expr, k) {
			out[k] = v
		}
	}
	return out
}

// mentions reports whether placeholder occurs in expr as a whole token, so
// that "#1" does not match inside "#10".
func mentions(expr, placeholder string) bool {
	for i := 0; i+len(placeholder) <= len(expr); i++ {
		if expr[i:i+len(placeholder)] != placeholder {
			continue
		}
		end := i + len(placeholder)
		if end == len(expr) || !isWordByte(expr[end]) {
			return true
		}
	}
	return false
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// indexWrites returns the write units the table's indexes consume for one
// item changing from before to after.
func (m *Meter) indexWrites(before, after itemImage) float64 {
	if reflect.DeepEqual(before, after) {
		return 0
	}
	var units float64
	for _, ix := range m.indexes {
		keyBefore, inBefore := ix.entryKey(before)
		keyAfter, inAfter := ix.entryKey(after)
		switch {
		case !inBefore && !inAfter:
		case inBefore && !inAfter:
			units += WriteUnits(ItemSize(before))
		case !inBefore && inAfter:
			units += WriteUnits(ItemSize(after))
		case keyBefore != keyAfter:
			units += WriteUnits(ItemSize(before)) + WriteUnits(ItemSize(after))
		default:
			units += WriteUnits(ItemSize(after))
		}
	}
	return units
}

// entryKey returns the index key of item and whether the item is in the
// index, which holds only items that have both key attributes.
func (ix indexKeys) entryKey(item itemImage) (string, bool) {
	h, ok1 := item[ix.hash].(*types.AttributeValueMemberS)
	s, ok2 := item[ix.sort].(*types.AttributeValueMemberS)
	if !ok1 || !ok2 {
		return "", false
	}
	return h.Value + "\x00" + s.Value, true
}
