package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// parseEnvFile reads the settings file that scripts/localsetup writes:
// lines of the form
//
//	export TABLE_NAME='cloud-connector'
//
// Blank lines and lines starting with # are skipped, and "export " is
// optional. A value is a run of single-quoted strings, shell words without
// special characters, and \' escapes, as POSIX shells read them, so the
// value written as
//
//	'it'\''s'
//
// is it's. Anything a shell would expand or interpret, such as $, double
// quotes or backquotes outside single quotes, is an error naming the line,
// because this is no shell.
func parseEnvFile(r io.Reader) ([][2]string, error) {
	var vars [][2]string
	scanner := bufio.NewScanner(r)
	for n := 1; scanner.Scan(); n++ {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, raw, ok := strings.Cut(line, "=")
		if !ok || !validName(name) {
			return nil, fmt.Errorf("line %d: want NAME=value, got %q", n, line)
		}
		value, err := unquote(raw)
		if err != nil {
			return nil, fmt.Errorf("line %d: value of %s: %w", n, name, err)
		}
		vars = append(vars, [2]string{name, value})
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return vars, nil
}

// validName reports whether s is a shell variable name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case i > 0 && c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return true
}

// unquote returns the value of a shell word made of single-quoted strings,
// \' escapes and plain characters.
func unquote(word string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(word); {
		switch c := word[i]; {
		case c == '\'':
			end := strings.IndexByte(word[i+1:], '\'')
			if end < 0 {
				return "", fmt.Errorf("unterminated single quote in %q", word)
			}
			b.WriteString(word[i+1 : i+1+end])
			i += end + 2
		case c == '\\' && i+1 < len(word) && word[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
		case strings.IndexByte(" \t\"`$\\;&|<>()*?[]{}~#!", c) >= 0:
			return "", fmt.Errorf("character %q outside single quotes in %q: quote the value with single quotes", c, word)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}
