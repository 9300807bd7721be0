package gateway

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// claimStrings converts token claims to the form in which the JWT
// authorizer of an HTTP API passes them to the function: every value a
// string.
func claimStrings(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for name, value := range claims {
		out[name] = claimString(value)
	}
	return out
}

// claimString formats one claim value as API Gateway does. A string stays
// as it is, a number becomes its decimal text ("1718722804") and a boolean
// "true" or "false". An array becomes its elements, each formatted by these
// rules, joined by spaces inside brackets ("[a b c]"). An object becomes its
// JSON.
//
// NOTE: null and arrays nested in arrays follow these rules by analogy
// (null becomes "null"); no API Gateway capture of either was at hand.
func claimString(value any) string {
	switch v := value.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	case []any:
		parts := make([]string, len(v))
		for i, item := range v {
			parts[i] = claimString(item)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(data)
	default:
		return fmt.Sprint(v)
	}
}
