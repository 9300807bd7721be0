package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
)

// Version is a Data Center release number: MAJOR.MINOR[.PATCH][-qualifier].
// A version with a qualifier (a milestone or release candidate) is a
// pre-release and sorts before the same number without one.
type Version struct {
	Major, Minor, Patch int
	Qualifier           string
}

// versionPattern is compiled on first use, not at init, because most
// functions never parse a version and init time is cold-start time.
var versionPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})(?:\.(0|[1-9][0-9]{0,5}))?(?:-([0-9A-Za-z][0-9A-Za-z.]{0,31}))?$`)
})

// ParseVersion parses s. Anything else than the form above is KindInvalid.
func ParseVersion(s string) (Version, error) {
	m := versionPattern().FindStringSubmatch(s)
	if m == nil {
		return Version{}, Invalid(fmt.Sprintf("invalid version %q: use MAJOR.MINOR[.PATCH][-qualifier], for example 11.3.0", truncate(s, 64)),
			FieldError{Field: "version", Reason: "must be MAJOR.MINOR[.PATCH][-qualifier]"})
	}
	v := Version{Qualifier: m[4]}
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	return v, nil
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
// Numbers compare numerically; a pre-release is older than its release;
// two pre-releases of one number compare by qualifier text.
func (v Version) Compare(w Version) int {
	for _, d := range [][2]int{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case v.Qualifier == w.Qualifier:
		return 0
	case v.Qualifier == "":
		return 1
	case w.Qualifier == "":
		return -1
	case v.Qualifier < w.Qualifier:
		return -1
	default:
		return 1
	}
}

func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Qualifier != "" {
		s += "-" + v.Qualifier
	}
	return s
}

// CheckVersion parses s and checks it against the product's minimum. An
// unparseable version is KindInvalid; one below the minimum is KindUnprocessable.
func CheckVersion(p Product, s string) (Version, error) {
	v, err := ParseVersion(s)
	if err != nil {
		return Version{}, err
	}
	min := p.MinimumVersion()
	if v.Compare(min) < 0 {
		return Version{}, &Error{
			Kind:   KindUnprocessable,
			Detail: fmt.Sprintf("%s Data Center %s is not supported: the minimum is %d.%d", p, s, min.Major, min.Minor),
			Fields: []FieldError{{Field: "version", Reason: fmt.Sprintf("minimum is %d.%d", min.Major, min.Minor)}},
		}
	}
	return v, nil
}
