package dynamo

import (
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Capacity unit sizes of DynamoDB: one read unit covers 4 KB of a strongly
// consistent read (an eventually consistent read costs half), and one write
// unit covers 1 KB of a write. Sizes round up, so every request that touches
// an item costs at least one unit, even when the item does not exist.
const (
	readUnitBytes  = 4096
	writeUnitBytes = 1024
)

// ItemSize returns the size of item as DynamoDB bills it: the UTF-8 length of
// every attribute name plus the size of its value.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

// valueSize applies DynamoDB's published size rules. A string is its UTF-8
// length and a binary its byte length. A number is about one byte per two
// significant digits, plus one. A boolean or null is one byte. A list or map
// is 3 bytes plus, for each element, one byte, the element and its map key.
// A set is the sum of its elements.
func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	default:
		return 0
	}
}

// numberSize returns the stored size of the decimal number s: leading and
// trailing zeros do not count, each pair of significant digits takes one
// byte, plus one byte, plus one more for a negative number.
func numberSize(s string) int {
	neg := strings.HasPrefix(s, "-")
	mantissa := strings.TrimLeft(s, "+-")
	if i := strings.IndexAny(mantissa, "eE"); i >= 0 {
		mantissa = mantissa[:i]
	}
	digits := strings.Trim(strings.ReplaceAll(mantissa, ".", ""), "0")
	n := (utf8.RuneCountInString(digits)+1)/2 + 1
	if neg {
		n++
	}
	return n
}

// ReadUnits returns the read request units of reading size bytes in one
// request: a GetItem of one item, or a Query, whose items' sizes are summed
// before rounding. A strongly consistent read costs one unit per 4 KB, an
// eventually consistent one half of that.
func ReadUnits(size int, consistent bool) float64 {
	units := float64(roundUp(size, readUnitBytes))
	if !consistent {
		units /= 2
	}
	return units
}

// WriteUnits returns the write request units of writing one item of size
// bytes outside a transaction: one unit per 1 KB. For an update or a
// replacing put, size is the larger of the item before and after the write.
// A transaction costs twice this for each of its items.
func WriteUnits(size int) float64 {
	return float64(roundUp(size, writeUnitBytes))
}

// roundUp returns how many units of unit bytes cover size, at least one.
func roundUp(size, unit int) int {
	if size <= 0 {
		return 1
	}
	return (size + unit - 1) / unit
}
