package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Limits of the CloudWatch Embedded Metric Format and of CloudWatch metrics.
const (
	maxMetricsPerDirective = 100
	maxDimensionsPerSet    = 30
	maxNameLength          = 255
	maxDimensionValue      = 1024
	maxValuesPerMetric     = 100
)

// standardUnits are the units CloudWatch accepts in a MetricDefinition.
var standardUnits = []Unit{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
	"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
	"Count/Second", "None",
}

// Validate checks that line, with or without its trailing newline, is an EMF
// document that CloudWatch Logs turns into metrics:
//
//   - one JSON object and nothing else, with an "_aws" object that holds an
//     integer Timestamp (milliseconds since the Unix epoch) and a non-empty
//     CloudWatchMetrics array, and no other member;
//   - each MetricDirective has exactly Namespace, Dimensions and Metrics;
//     the namespace is 1 to 255 characters and does not start with ':';
//   - each DimensionSet names at most 30 root members, each a string of 1 to
//     1024 characters;
//   - each directive defines 1 to 100 metrics with distinct names. Each
//     MetricDefinition has a Name and a standard CloudWatch Unit, and an
//     optional StorageResolution of 1 or 60. Its Name is a root member that
//     holds a number or an array of 1 to 100 numbers.
//
// Requiring a Unit is stricter than the format, which makes it optional,
// because every metric of this service has one.
func Validate(line []byte) error {
	var root map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&root); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON object")
	}
	if root == nil {
		return errors.New("not a JSON object: null")
	}

	raw, ok := root["_aws"]
	if !ok {
		return errors.New(`missing member "_aws"`)
	}
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(raw, &meta); err != nil || meta == nil {
		return errors.New(`member "_aws" is not an object`)
	}
	if err := onlyMembers(meta, "_aws", "Timestamp", "CloudWatchMetrics"); err != nil {
		return err
	}
	var timestamp json.Number
	if !isNumber(meta["Timestamp"]) || json.Unmarshal(meta["Timestamp"], &timestamp) != nil {
		return errors.New(`_aws.Timestamp is missing or not a number`)
	}
	if ms, err := timestamp.Int64(); err != nil || ms < 0 {
		return fmt.Errorf("_aws.Timestamp %s is not a whole number of milliseconds since the Unix epoch", timestamp)
	}

	var directives []map[string]json.RawMessage
	if err := json.Unmarshal(meta["CloudWatchMetrics"], &directives); err != nil || len(directives) == 0 {
		return errors.New("_aws.CloudWatchMetrics is missing, empty or not an array of objects")
	}
	for i, d := range directives {
		if err := validateDirective(root, d); err != nil {
			return fmt.Errorf("_aws.CloudWatchMetrics[%d]: %w", i, err)
		}
	}
	return nil
}

func validateDirective(root, d map[string]json.RawMessage) error {
	if err := onlyMembers(d, "MetricDirective", "Namespace", "Dimensions", "Metrics"); err != nil {
		return err
	}
	var namespace string
	if err := json.Unmarshal(d["Namespace"], &namespace); err != nil {
		return errors.New("Namespace is missing or not a string")
	}
	if namespace == "" || len(namespace) > maxNameLength || strings.HasPrefix(namespace, ":") {
		return fmt.Errorf("Namespace %q must be 1 to %d characters and not start with ':'", namespace, maxNameLength)
	}

	var sets [][]string
	if err := json.Unmarshal(d["Dimensions"], &sets); err != nil || sets == nil {
		return errors.New("Dimensions is missing or not an array of arrays of strings")
	}
	for i, set := range sets {
		if set == nil {
			return fmt.Errorf("Dimensions[%d] is not an array", i)
		}
		if len(set) > maxDimensionsPerSet {
			return fmt.Errorf("Dimensions[%d] has %d dimensions, more than %d", i, len(set), maxDimensionsPerSet)
		}
		for _, name := range set {
			var v string
			if err := json.Unmarshal(root[name], &v); err != nil {
				return fmt.Errorf("dimension %q is not a string member of the root object", name)
			}
			if v == "" || len(v) > maxDimensionValue {
				return fmt.Errorf("dimension %q has a value of %d characters, want 1 to %d", name, len(v), maxDimensionValue)
			}
		}
	}

	var defs []map[string]json.RawMessage
	if err := json.Unmarshal(d["Metrics"], &defs); err != nil || len(defs) == 0 {
		return errors.New("Metrics is missing, empty or not an array of objects")
	}
	if len(defs) > maxMetricsPerDirective {
		return fmt.Errorf("Metrics has %d definitions, more than %d", len(defs), maxMetricsPerDirective)
	}
	seen := map[string]bool{}
	for i, def := range defs {
		name, err := validateDefinition(root, def)
		if err != nil {
			return fmt.Errorf("Metrics[%d]: %w", i, err)
		}
		if seen[name] {
			return fmt.Errorf("Metrics[%d]: metric %q is defined twice", i, name)
		}
		seen[name] = true
	}
	return nil
}

// validateDefinition checks one MetricDefinition and returns its name.
func validateDefinition(root, def map[string]json.RawMessage) (string, error) {
	if err := onlyMembers(def, "MetricDefinition", "Name", "Unit", "StorageResolution"); err != nil {
		return "", err
	}
	var name string
	if err := json.Unmarshal(def["Name"], &name); err != nil || name == "" || len(name) > maxNameLength {
		return "", fmt.Errorf("Name must be a string of 1 to %d characters", maxNameLength)
	}
	var unit Unit
	if err := json.Unmarshal(def["Unit"], &unit); err != nil {
		return name, fmt.Errorf("metric %q: Unit is missing or not a string", name)
	}
	if !slices.Contains(standardUnits, unit) {
		return name, fmt.Errorf("metric %q: Unit %q is not a CloudWatch unit", name, unit)
	}
	if raw, ok := def["StorageResolution"]; ok {
		var res int
		if err := json.Unmarshal(raw, &res); err != nil || (res != 1 && res != 60) {
			return name, fmt.Errorf("metric %q: StorageResolution must be 1 or 60", name)
		}
	}

	raw, ok := root[name]
	if !ok {
		return name, fmt.Errorf("metric %q has no member in the root object", name)
	}
	if isNumber(raw) {
		return name, nil
	}
	var many []json.RawMessage
	if err := json.Unmarshal(raw, &many); err == nil && len(many) > 0 && len(many) <= maxValuesPerMetric && all(many, isNumber) {
		return name, nil
	}
	return name, fmt.Errorf("metric %q: value %s is not a number or an array of 1 to %d numbers", name, raw, maxValuesPerMetric)
}

// isNumber reports whether raw, a valid JSON value, is a number: JSON
// numbers, and no other values, start with '-' or a digit.
func isNumber(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}

func all[T any](items []T, ok func(T) bool) bool {
	for _, item := range items {
		if !ok(item) {
			return false
		}
	}
	return true
}

// onlyMembers rejects a member of obj other than allowed. The format forbids
// members it does not define in its own objects.
func onlyMembers(obj map[string]json.RawMessage, object string, allowed ...string) error {
	for name := range obj {
		if !slices.Contains(allowed, name) {
			return fmt.Errorf("%s has the member %q, which the format does not define", object, name)
		}
	}
	return nil
}
