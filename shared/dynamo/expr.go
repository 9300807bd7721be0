package dynamo

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// portable is a built expression rewritten so that emulators parse it as
// DynamoDB does. The SDK's builder names placeholders #0, #1, ... #10, and
// emulators that substitute placeholders as plain text, kumo v0.33.1 among
// them, turn #10 into the value of #1 followed by "0". Fixed-width
// placeholders (#n000, :v000) are never a prefix of one another. Clauses are
// also joined on one line, because kumo ignores those after a newline.
type portable struct {
	update, condition *string
	names             map[string]string
	values            map[string]types.AttributeValue
}

var placeholder = regexp.MustCompile(`([#:])([0-9]+)\b`)

func rewrite(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.Atoi(m[1:])
		if m[0] == '#' {
			return fmt.Sprintf("#n%03d", n)
		}
		return fmt.Sprintf(":v%03d", n)
	})
}

func portableExpr(e expression.Expression) portable {
	p := portable{names: map[string]string{}, values: map[string]types.AttributeValue{}}
	for k, v := range e.Names() {
		p.names[rewrite(k)] = v
	}
	for k, v := range e.Values() {
		p.values[rewrite(k)] = v
	}
	if u := e.Update(); u != nil {
		p.update = aws.String(strings.TrimSpace(strings.ReplaceAll(rewrite(*u), "\n", " ")))
	}
	if c := e.Condition(); c != nil {
		p.condition = aws.String(rewrite(*c))
	}
	return p
}
